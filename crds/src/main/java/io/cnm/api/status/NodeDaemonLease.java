package io.cnm.api.status;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A node-daemon's heartbeat: a coordination.k8s.io Lease per node in the release namespace,
 * renewed every {@link #RENEW_SECONDS} s, as kubelets keep theirs in kube-node-lease. The
 * operator reads it before it gives back the address of a deleted endpoint that the node still
 * reports realized: while the daemon is alive it waits for the daemon to say the interface is
 * gone; once the lease has expired (node lost, daemon uninstalled) nobody is left to say so.
 */
public final class NodeDaemonLease {
  public static final int RENEW_SECONDS = 10;
  public static final int DURATION_SECONDS = 40;
  private static final String PREFIX = "cnm-node-daemon-";
  private static final int MAX_NAME = 253;

  private NodeDaemonLease() {}

  /** Whether a Lease is a node-daemon's (by name). */
  public static boolean isOne(String leaseName) {
    return leaseName.startsWith(PREFIX);
  }

  /** The Lease's name for a node; names too long for an object name end in a hash instead. */
  public static String name(String node) {
    String n = PREFIX + node;
    if (n.length() <= MAX_NAME) {
      return n;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
      return n.substring(0, MAX_NAME - 17) + "-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates or renews the node's lease (the daemon). */
  public static void renew(KubernetesClient client, String namespace, String node, Instant now) {
    renew(client, namespace, node, now, java.util.Map.of());
  }

  /**
   * Creates or renews the node's lease with these annotations set (the daemon's public key), the
   * others kept as they are (the operator's answer).
   *
   * @return the lease as written
   */
  public static Lease renew(KubernetesClient client, String namespace, String node, Instant now, java.util.Map<String, String> annotations) {
    ZonedDateTime t = now.atZone(ZoneOffset.UTC);
    var leases = client.leases().inNamespace(namespace);
    Lease had = leases.withName(name(node)).get();
    if (had == null) {
      return leases.resource(new LeaseBuilder().withNewMetadata().withName(name(node)).addToLabels("app.kubernetes.io/part-of", "cnm-operator")
          .addToAnnotations(annotations).endMetadata().withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(DURATION_SECONDS)
          .withAcquireTime(t).withRenewTime(t).endSpec().build()).create();
    }
    had.getSpec().setHolderIdentity(node);
    had.getSpec().setLeaseDurationSeconds(DURATION_SECONDS);
    had.getSpec().setRenewTime(t);
    if (!annotations.isEmpty()) {
      java.util.Map<String, String> a = new java.util.HashMap<>(had.getMetadata().getAnnotations() == null ? java.util.Map.of()
          : had.getMetadata().getAnnotations());
      a.putAll(annotations);
      had.getMetadata().setAnnotations(a);
    }
    return leases.resource(had).update();
  }

  /** When the node's lease runs out, or empty when the node has none (its daemon never ran, or was uninstalled). */
  public static Optional<Instant> expiry(KubernetesClient client, String namespace, String node) {
    Lease l = client.leases().inNamespace(namespace).withName(name(node)).get();
    if (l == null || l.getSpec() == null || l.getSpec().getRenewTime() == null) {
      return Optional.empty();
    }
    int seconds = l.getSpec().getLeaseDurationSeconds() == null ? DURATION_SECONDS : l.getSpec().getLeaseDurationSeconds();
    return Optional.of(l.getSpec().getRenewTime().toInstant().plusSeconds(seconds));
  }
}
