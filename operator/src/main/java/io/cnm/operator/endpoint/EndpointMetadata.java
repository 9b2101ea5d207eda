package io.cnm.operator.endpoint;

import io.cnm.api.v1alpha1.CnmEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a CnmEndpoint's metadata lacks before its address may go into its status: the labels
 * {@code cnm.io/node} (the node-daemon selects its endpoints by it) and {@code cnm.io/network},
 * and the finalizer that releases the address. Each part is the whole new value (a merge patch
 * and a JSON patch both replace a list or map whole), or null when nothing lacks there. Made by
 * the reconciler's patch and, at creation, by the admission webhook, which saves that patch.
 */
public record EndpointMetadata(Map<String, String> labels, List<String> finalizers) {
  /** What {@code ep} lacks, its node being {@code node} (null while unknown: no labels then). */
  public static EndpointMetadata missing(CnmEndpoint ep, String node, String finalizer) {
    Map<String, String> labels = null;
    if (node != null) {
      Map<String, String> now = ep.getMetadata().getLabels() == null ? Map.of() : ep.getMetadata().getLabels();
      if (!node.equals(now.get(CnmEndpoint.NODE_LABEL)) || !ep.getSpec().getNetwork().equals(now.get(CnmEndpoint.NETWORK_LABEL))) {
        labels = new HashMap<>(now);
        labels.put(CnmEndpoint.NODE_LABEL, node);
        labels.put(CnmEndpoint.NETWORK_LABEL, ep.getSpec().getNetwork());
      }
    }
    List<String> finalizers = null;
    if (!ep.hasFinalizer(finalizer)) {
      finalizers = new ArrayList<>(ep.getMetadata().getFinalizers() == null ? List.of() : ep.getMetadata().getFinalizers());
      finalizers.add(finalizer);
    }
    return new EndpointMetadata(labels, finalizers);
  }

  /**
   * The node an endpoint's spec names by itself (a netns sandbox's {@code nodeName}); null for a
   * pod's, whose node is the pod's and known only from the API.
   */
  public static String nodeOfSpec(CnmEndpoint ep) {
    if (ep.getSpec() == null || ep.getSpec().getSandbox() == null || ep.getSpec().getSandbox().getPod() != null) {
      return null;
    }
    String node = ep.getSpec().getSandbox().getNodeName();
    return node == null || node.isEmpty() ? null : node;
  }

  public boolean isEmpty() {
    return labels == null && finalizers == null;
  }
}
