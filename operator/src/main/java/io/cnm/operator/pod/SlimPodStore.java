package io.cnm.operator.pod;

import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The operator's cache of pods, with only what it reads of them: identity (name, namespace, uid,
 * owners, versions, deletion), labels (copied onto a pod's endpoints), the {@code cnm.io/networks}
 * annotation, and the node and hostNetwork of the spec. Every pod of the cluster is cached (twice:
 * for the pod-networks controller and for endpoints bound to pods), and a real pod is mostly
 * what we never read (containers, status, managed fields): a few KB each, kept as a few hundred
 * bytes here.
 */
public final class SlimPodStore implements ItemStore<Pod> {
  private final BasicItemStore<Pod> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  /** What is kept of a pod; pure. */
  public static Pod slim(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    String networks = m.getAnnotations() == null ? null : m.getAnnotations().get(NetworksAnnotation.NAME);
    Pod out = new Pod();
    out.setApiVersion(pod.getApiVersion());
    out.setKind(pod.getKind());
    out.setMetadata(new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace()).withUid(m.getUid())
        .withResourceVersion(m.getResourceVersion()).withGeneration(m.getGeneration()).withCreationTimestamp(m.getCreationTimestamp())
        .withDeletionTimestamp(m.getDeletionTimestamp()).withOwnerReferences(m.getOwnerReferences()).withLabels(m.getLabels())
        .withAnnotations(networks == null ? null : Map.of(NetworksAnnotation.NAME, networks)).build());
    if (pod.getSpec() != null) {
      PodSpec spec = new PodSpec();
      spec.setNodeName(pod.getSpec().getNodeName());
      spec.setHostNetwork(pod.getSpec().getHostNetwork());
      out.setSpec(spec);
    }
    return out;
  }

  @Override
  public String getKey(Pod pod) {
    return store.getKey(pod);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return store.put(key, slim(pod));
  }

  @Override
  public Pod remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<Pod> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public Pod get(String key) {
    return store.get(key);
  }
}
