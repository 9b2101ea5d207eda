package io.cnm.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.operator.pod.SlimPodStore;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cached objects without their empty collections: the same JSON, the same answers to the code that reads them, less heap. */
class CompactTest {
  static Pod pod() {
    return new PodBuilder().withNewMetadata().withName("web-1").withNamespace("shop").withUid("u-1").addToLabels("app", "web")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web").withUid("rs-1").endOwnerReference()
        .endMetadata().withNewSpec().withNodeName("node-7").endSpec().build();
  }

  static CnmEndpoint endpoint() {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName("web");
    e.getMetadata().setNamespace("shop");
    e.getMetadata().setLabels(Map.of(CnmEndpoint.NODE_LABEL, "node-7"));
    e.getMetadata().setFinalizers(List.of("cnmendpoints.cnm.io/finalizer"));
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork("pets");
    spec.setSandbox(Sandbox.ofNetns("node-7", "/run/netns/web"));
    e.setSpec(spec);
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setIpv4Address("10.1.0.2/24");
    st.setConditions(Conditions.set(null, Conditions.READY, true, "Bound", "10.1.0.2/24 on node-7", 1L));
    e.setStatus(st);
    return e;
  }

  @Test
  void emptyCollectionsGoAtEveryDepth_whatIsInThemStays_andTheJsonIsTheSame() {
    Pod pod = SlimPodStore.slim(pod());
    String json = Serialization.asJson(pod);
    assertThat(pod.getSpec().getContainers()).isEmpty();
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getAdditionalProperties()).isEmpty();
    Compact.of(pod);
    assertThat(pod.getSpec().getContainers()).isNull();
    assertThat(pod.getSpec().getVolumes()).isNull();
    assertThat(pod.getAdditionalProperties()).isNull();
    assertThat(pod.getMetadata().getFinalizers()).isNull();
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getAdditionalProperties()).as("inside a list").isNull();
    assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("node-7");
    assertThat(Serialization.asJson(pod)).isEqualTo(json);
  }

  @Test
  void anEndpointReadsTheSame_andItsFinalizerAndConditionsStay() {
    CnmEndpoint ep = endpoint();
    String json = Serialization.asJson(ep);
    Compact.of(ep);
    assertThat(Serialization.asJson(ep)).isEqualTo(json);
    assertThat(ep.hasFinalizer("cnmendpoints.cnm.io/finalizer")).isTrue();
    assertThat(ep.getMetadata().getManagedFields()).isNull();
    assertThat(Conditions.isTrue(ep.getStatus().getConditions(), Conditions.READY)).isTrue();
    assertThat(ep.getStatus().getConditions().get(0).getAdditionalProperties()).isNull();
    // A copy made from its JSON (as the Operator SDK hands a reconciler) has its empty collections back.
    CnmEndpoint copy = Serialization.clone(ep);
    assertThat(copy.getMetadata().getManagedFields()).isEmpty();
  }

  @Test
  void aSlimPodInAStoreTakesLessThanHalfTheHeapItDidWithItsEmptyCollections() {
    int n = 20_000;
    long plain = retained(n, i -> SlimPodStore.slim(pod()));
    long compact = retained(n, i -> Compact.of(SlimPodStore.slim(pod())));
    assertThat(compact).as("bytes per pod: %d compacted against %d", compact / n, plain / n).isLessThan(plain * 6 / 10).isGreaterThan(0);
  }

  private static long retained(int n, java.util.function.IntFunction<Object> make) {
    Object[] keep = new Object[n];
    long before = used();
    for (int i = 0; i < n; i++) {
      keep[i] = make.apply(i);
    }
    long after = used();
    assertThat(keep[n - 1]).isNotNull();
    return after - before;
  }

  private static long used() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
