package io.cnm.daemon.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Which events of this node's endpoints and pods can change what the agent does; pure. Some
 * cannot: the daemon's own writes coming back (an endpoint's Realized condition and interface
 * name, a pod's cnm.io/networks-ready condition and cnm.io/network-status annotation), and the
 * operator's first write of an endpoint (labels and finalizer, before it has bound it). A pass for
 * each costs a walk over every endpoint of the node, and one that is running when the operator's
 * Ready arrives holds that endpoint's join back by its length. The periodic pass still looks at
 * everything.
 */
final class AgentEvents {
  private AgentEvents() {}

  /** A new endpoint matters once the operator has bound it (Ready) or when it is being deleted. */
  static boolean matters(CnmEndpoint added) {
    return added.getMetadata().getDeletionTimestamp() != null
        || added.getStatus() != null && Conditions.isTrue(added.getStatus().getConditions(), Conditions.READY);
  }

  /**
   * The sandbox of an endpoint the operator has labelled for this node but not bound yet (no
   * Ready, not being deleted), where its path is known without a look: a named netns. Its DNS
   * socket can be opened while the operator writes the binding.
   */
  static java.util.Optional<String> waitingSandbox(CnmEndpoint ep) {
    if (matters(ep) || ep.getSpec() == null || ep.getSpec().getSandbox() == null) {
      return java.util.Optional.empty(); // bound (Ready) or being deleted
    }
    return java.util.Optional.ofNullable(ep.getSpec().getSandbox().getNetnsPath());
  }

  /** An endpoint's change matters unless all it changed is versions, managed fields or the daemon's part of its status. */
  static boolean matters(CnmEndpoint before, CnmEndpoint after) {
    return !view(before).equals(view(after));
  }

  /**
   * An endpoint's removal matters unless it was already being deleted when last seen: its
   * deletion started a pass then, which left it and said so (Released); its going now changes nothing.
   */
  static boolean mattersGone(CnmEndpoint last, boolean finalStateUnknown) {
    return finalStateUnknown || last.getMetadata().getDeletionTimestamp() == null;
  }

  /** A pod's change matters unless all it changed is versions, managed fields or what the daemon writes on it. */
  static boolean matters(Pod before, Pod after) {
    return !view(before).equals(view(after));
  }

  /** The endpoint as the agent reads it: all of it but the resource version, the managed fields and the daemon's part of the status. */
  static JsonNode view(CnmEndpoint ep) {
    ObjectNode n = withoutVersions(ep);
    if (n.get("status") instanceof ObjectNode status) {
      status.remove("interfaceName");
      withoutCondition(status, Conditions.REALIZED);
    }
    return n;
  }

  /** The pod as the agent reads it: all of it but the resource version, the managed fields and the daemon's condition and annotation. */
  static JsonNode view(Pod pod) {
    ObjectNode n = withoutVersions(pod);
    if (n.path("metadata").get("annotations") instanceof ObjectNode annotations) {
      annotations.remove(PodNetworkStatus.ANNOTATION);
    }
    if (n.get("status") instanceof ObjectNode status) {
      withoutCondition(status, PodNetworkStatus.CONDITION);
    }
    return n;
  }

  private static ObjectNode withoutVersions(HasMetadata o) {
    ObjectNode n = Serialization.jsonMapper().valueToTree(o);
    if (n.get("metadata") instanceof ObjectNode meta) {
      meta.remove("resourceVersion");
      meta.remove("managedFields");
    }
    return n;
  }

  private static void withoutCondition(ObjectNode status, String type) {
    if (status.get("conditions") instanceof ArrayNode conditions) {
      for (int i = conditions.size() - 1; i >= 0; i--) {
        if (type.equals(conditions.get(i).path("type").asText())) {
          conditions.remove(i);
        }
      }
    }
  }
}
