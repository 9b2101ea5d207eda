package io.cnm.operator.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlimPodStoreTest {
  static Pod realistic() {
    return new PodBuilder().withNewMetadata().withName("web-7d4b9c-x2x9z").withNamespace("shop").withUid("u-1").withResourceVersion("42")
        .withCreationTimestamp("2026-11-29T10:00:00Z").addToLabels("app", "web").addToLabels("pod-template-hash", "7d4b9c")
        .withAnnotations(Map.of(NetworksAnnotation.NAME, "front, back@ip=10.1.2.3", "kubectl.kubernetes.io/restartedAt", "2026-11-28"))
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-7d4b9c").withUid("rs-1").endOwnerReference()
        .addNewManagedField().withManager("kube-controller-manager").withOperation("Update").withApiVersion("v1").endManagedField()
        .endMetadata()
        .withNewSpec().withNodeName("node-7").withHostNetwork(false).addNewContainer().withName("web").withImage("registry.example/web:1.2.3")
        .addNewPort().withContainerPort(8080).endPort().addNewEnv().withName("MODE").withValue("production").endEnv().endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP("10.244.7.12").addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewContainerStatus().withName("web").withReady(true).withRestartCount(0).withImage("registry.example/web:1.2.3").endContainerStatus()
        .endStatus().build();
  }

  @Test
  void keepsWhatTheOperatorReads_andDropsTheRest() {
    Pod pod = realistic();
    Pod slim = SlimPodStore.slim(pod);
    assertThat(slim.getMetadata().getName()).isEqualTo("web-7d4b9c-x2x9z");
    assertThat(slim.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(slim.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(slim.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(slim.getMetadata().getLabels()).isEqualTo(pod.getMetadata().getLabels());
    assertThat(slim.getMetadata().getOwnerReferences()).isEqualTo(pod.getMetadata().getOwnerReferences());
    assertThat(slim.getMetadata().getAnnotations()).containsExactly(Map.entry(NetworksAnnotation.NAME, "front, back@ip=10.1.2.3"));
    assertThat(slim.getSpec().getNodeName()).isEqualTo("node-7");
    assertThat(slim.getSpec().getHostNetwork()).isFalse();
    assertThat(slim.getSpec().getContainers()).isEmpty();
    assertThat(slim.getStatus()).isNull();
    assertThat(slim.getMetadata().getManagedFields()).isEmpty();
    assertThat(Serialization.asJson(slim).length()).isLessThan(Serialization.asJson(pod).length() / 2);
  }

  @Test
  void theStoreKeepsSlimCopiesUnderTheInformersKey() {
    SlimPodStore store = new SlimPodStore();
    Pod pod = realistic();
    String key = store.getKey(pod);
    assertThat(key).isEqualTo("shop/web-7d4b9c-x2x9z");
    assertThat(store.put(key, pod)).isNull();
    assertThat(store.get(key).getSpec().getContainers()).isNull(); // compacted: no empty list kept
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.remove(key).getMetadata().getName()).isEqualTo("web-7d4b9c-x2x9z");
    assertThat(store.size()).isZero();
  }

  @Test
  void aPodWithoutTheAnnotationKeepsNone() {
    Pod pod = new PodBuilder(realistic()).editMetadata().withAnnotations(Map.of("other", "x")).endMetadata().build();
    assertThat(SlimPodStore.slim(pod).getMetadata().getAnnotations()).isNullOrEmpty();
  }
}
