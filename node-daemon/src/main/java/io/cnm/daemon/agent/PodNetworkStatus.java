package io.cnm.daemon.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnm.api.status.Conditions;
import io.cnm.api.status.StatusUpdates;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a pod that asked for networks ({@code cnm.io/networks}) is told of them, by the daemon of
 * its node: the pod condition {@link #CONDITION} (True once every network it asked for has a
 * realized endpoint; a pod with the readiness gate of that name is not Ready before), and the
 * annotation {@link #ANNOTATION} listing what was attached (network, interface, IPs, MAC), in
 * the shape Multus users read from {@code k8s.v1.cni.cncf.io/network-status}. What is to be
 * said is computed purely; {@link #writeCondition} and {@link #writeAnnotation} say it, one request
 * each.
 */
final class PodNetworkStatus {
  static final String CONDITION = "cnm.io/networks-ready";
  static final String ANNOTATION = "cnm.io/network-status";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PodNetworkStatus() {}

  /**
   * How many networks a pod asks for ({@link NetworksAnnotation}, the operator's own parser); a
   * malformed annotation asks for none (the operator reports it on the pod and attaches nothing).
   */
  static int asked(Pod pod) {
    String a = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(NetworksAnnotation.NAME);
    try {
      return NetworksAnnotation.parse(a).size();
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  /** One attached network, as the annotation lists it. */
  record Attached(String name, String iface, List<String> ips, String mac) {}

  /** The pod's endpoints (label cnm.io/pod) that are realized, in name order. */
  static List<Attached> attached(List<CnmEndpoint> endpoints) {
    List<Attached> out = new ArrayList<>();
    endpoints.stream().sorted(Comparator.comparing(e -> e.getMetadata().getName())).forEach(e -> {
      var st = e.getStatus();
      if (st != null && Conditions.isTrue(st.getConditions(), Conditions.REALIZED)) {
        List<String> ips = new ArrayList<>();
        if (st.getIpv4Address() != null) {
          ips.add(st.getIpv4Address().split("/")[0]);
        }
        if (st.getIpv6Address() != null) {
          ips.add(st.getIpv6Address().split("/")[0]);
        }
        out.add(new Attached(e.getMetadata().getNamespace() + "/" + e.getSpec().getNetwork(), st.getInterfaceName(), ips,
            st.getMacAddress()));
      }
    });
    return out;
  }

  static String annotation(List<Attached> attached) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Attached a : attached) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", a.name());
      m.put("interface", a.iface());
      m.put("ips", a.ips());
      m.put("mac", a.mac());
      m.put("default", false);
      list.add(m);
    }
    try {
      return JSON.writeValueAsString(list);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Puts {@code want} among the pod's conditions, in place of its own earlier one: one request,
   * from {@code copy} (the informer's). When the kubelet wrote the status after that copy, the API
   * server refuses it as a conflict, and the condition is put on the pod as it is now: the
   * kubelet's conditions are never written back from a stale copy.
   */
  static void writeCondition(KubernetesClient client, Pod copy, PodCondition want) {
    StatusUpdates.update(client, copy, p -> {
      if (same(want, current(p))) {
        return null;
      }
      List<PodCondition> conditions = new ArrayList<>(p.getStatus().getConditions() == null ? List.of() : p.getStatus().getConditions());
      conditions.removeIf(c -> CONDITION.equals(c.getType()));
      conditions.add(want);
      p.getStatus().setConditions(conditions);
      return p;
    });
  }

  /** Sets the annotation {@link #ANNOTATION}: one merge patch of that key alone, no read before it, nothing else of the pod touched. */
  static void writeAnnotation(KubernetesClient client, Pod pod, String value) {
    var patch = JSON.createObjectNode();
    patch.putObject("metadata").putObject("annotations").put(ANNOTATION, value);
    // Through the copy, which names the pod: by name alone, the client would read the pod first.
    client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  /** The condition as it should be, keeping lastTransitionTime when the status stays. */
  static PodCondition condition(Pod pod, int asked, int realized) {
    boolean ready = realized >= asked;
    String status = ready ? "True" : "False";
    PodCondition previous = current(pod);
    String since = previous != null && status.equals(previous.getStatus()) ? previous.getLastTransitionTime()
        : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new PodConditionBuilder().withType(CONDITION).withStatus(status).withReason(ready ? "NetworksRealized" : "NetworksPending")
        .withMessage(realized + " of " + asked + " networks attached").withLastTransitionTime(since).build();
  }

  static PodCondition current(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    return pod.getStatus().getConditions().stream().filter(c -> CONDITION.equals(c.getType())).findFirst().orElse(null);
  }

  /** Whether the pod already says this. */
  static boolean same(PodCondition a, PodCondition b) {
    return a != null && b != null && Objects.equals(a.getStatus(), b.getStatus()) && Objects.equals(a.getMessage(), b.getMessage());
  }
}
