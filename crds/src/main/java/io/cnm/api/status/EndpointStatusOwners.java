package io.cnm.api.status;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;

/**
 * Who writes what of a CnmEndpoint's status. The operator owns everything except the
 * {@code Realized} condition and {@code interfaceName}, which the node-daemon owns. Each writes
 * through {@link StatusUpdates}, so a write from a stale copy never erases the other's part.
 */
public final class EndpointStatusOwners {
  /** The conditions the operator writes. */
  public static final Set<String> OPERATOR_CONDITIONS = Set.of(Conditions.READY);

  /**
   * The daemon's Realized=False reason on an endpoint being deleted once the endpoint's interface
   * has left its sandbox: from then on its address may be given to another endpoint.
   */
  public static final String RELEASED = "Released";

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private EndpointStatusOwners() {}

  /** The operator's part of {@code mine} written onto the endpoint as it is now; the daemon's part kept. */
  public static CnmEndpoint writeOperatorPart(KubernetesClient client, CnmEndpoint ep, CnmEndpointStatus mine) {
    return StatusUpdates.update(client, ep, fresh -> {
      CnmEndpointStatus theirs = fresh.getStatus() == null ? new CnmEndpointStatus() : fresh.getStatus();
      CnmEndpointStatus out = new CnmEndpointStatus(mine);
      out.setConditions(Conditions.merge(theirs.getConditions(), mine.getConditions(), OPERATOR_CONDITIONS));
      out.setInterfaceName(theirs.getInterfaceName() != null ? theirs.getInterfaceName() : mine.getInterfaceName());
      if (same(out, theirs)) {
        return null;
      }
      fresh.setStatus(out);
      return fresh;
    });
  }

  /** The node-daemon's part: its Realized condition (and the interface it made), the operator's part kept. */
  public static CnmEndpoint writeDaemonPart(KubernetesClient client, CnmEndpoint ep, boolean realized, String reason, String message,
      String interfaceName) {
    return writeDaemonPart(client, ep, realized, reason, message, interfaceName, () -> {}, StatusUpdates.throughClient(client));
  }

  /**
   * As above, each write made by {@code put} (see {@link StatusUpdates}), telling {@code conflicted}
   * of each one the API server refused as made on a stale copy.
   */
  public static CnmEndpoint writeDaemonPart(KubernetesClient client, CnmEndpoint ep, boolean realized, String reason, String message,
      String interfaceName, Runnable conflicted, java.util.function.UnaryOperator<CnmEndpoint> put) {
    return StatusUpdates.update(client, ep, fresh -> {
      CnmEndpointStatus st = fresh.getStatus() == null ? new CnmEndpointStatus() : fresh.getStatus();
      boolean unchanged = Conditions.find(st.getConditions(), Conditions.REALIZED)
          .map(c -> c.getStatus().equals(realized ? "True" : "False") && reason.equals(c.getReason()) && message.equals(c.getMessage()))
          .orElse(false);
      if (unchanged && (interfaceName == null || interfaceName.equals(st.getInterfaceName()))) {
        return null;
      }
      st.setConditions(Conditions.set(st.getConditions(), Conditions.REALIZED, realized, reason, message,
          fresh.getMetadata().getGeneration()));
      if (interfaceName != null) {
        st.setInterfaceName(interfaceName);
      }
      fresh.setStatus(st);
      return fresh;
    }, conflicted, put);
  }

  /** The node says the endpoint's interface is there (Realized=True): its address is in use on that node. */
  public static boolean interfaceHeld(CnmEndpoint ep) {
    return ep.getStatus() != null && Conditions.find(ep.getStatus().getConditions(), Conditions.REALIZED)
        .map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static boolean same(CnmEndpointStatus a, CnmEndpointStatus b) {
    return JSON.valueToTree(a).equals(JSON.valueToTree(b));
  }
}
