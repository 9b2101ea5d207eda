package io.cnm.operator.pod;

import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.cnm.operator.cache.Shared;
import io.cnm.operator.cache.SlimStore;
import java.util.Map;

/**
 * The operator's cache of pods, with only what it reads of them: identity (name, namespace, uid,
 * owners, versions, deletion), labels (copied onto a pod's endpoints), the {@code cnm.io/networks}
 * annotation, and the node and hostNetwork of the spec. Every pod of the cluster is cached (twice:
 * for the pod-networks controller and for endpoints bound to pods), and a real pod is mostly
 * what we never read (containers, status, managed fields): a few KB each, kept as a few hundred
 * bytes here, with the strings pods repeat (namespace, labels, owners, node) shared.
 */
public final class SlimPodStore extends SlimStore<Pod> {
  public SlimPodStore() {
    super(SlimPodStore::slim);
  }

  /** What is kept of a pod; pure. */
  public static Pod slim(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    String networks = m.getAnnotations() == null ? null : m.getAnnotations().get(NetworksAnnotation.NAME);
    Pod out = new Pod();
    out.setApiVersion(Shared.of(pod.getApiVersion()));
    out.setKind(Shared.of(pod.getKind()));
    out.setMetadata(new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace()).withUid(m.getUid())
        .withResourceVersion(m.getResourceVersion()).withGeneration(m.getGeneration()).withCreationTimestamp(m.getCreationTimestamp())
        .withDeletionTimestamp(m.getDeletionTimestamp()).withOwnerReferences(m.getOwnerReferences())
        .withAnnotations(networks == null ? null : Map.of(NetworksAnnotation.NAME, Shared.of(networks))).build());
    out.getMetadata().setLabels(m.getLabels()); // copied once, by the sharing below
    Shared.metadata(out.getMetadata());
    if (pod.getSpec() != null) {
      PodSpec spec = new PodSpec();
      spec.setNodeName(Shared.of(pod.getSpec().getNodeName()));
      spec.setHostNetwork(pod.getSpec().getHostNetwork());
      out.setSpec(spec);
    }
    return out;
  }
}
