package io.cnm.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An endpoint made for a pod is deleted as an orphan only when the API, not a lagging cache, says the pod is gone. */
class EndpointPodTest {
  static CnmEndpoint endpointFor(String pod, String uid) {
    CnmEndpoint ep = new CnmEndpoint();
    ep.setMetadata(new ObjectMetaBuilder().withName(pod + "-front").withNamespace("shop").addNewOwnerReference().withApiVersion("v1")
        .withKind("Pod").withName(pod).withUid(uid).endOwnerReference().build());
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork("front");
    Sandbox sb = new Sandbox();
    sb.setPod(pod);
    spec.setSandbox(sb);
    ep.setSpec(spec);
    return ep;
  }

  static Pod pod(String name, String uid) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid(uid).endMetadata()
        .withNewSpec().withNodeName("node-2").endSpec().build();
  }

  @Test
  void aPodTheCacheHasNotSeenYet_isLookedUpInTheApi_andItsEndpointStays() {
    CnmEndpoint ep = endpointFor("web-1", "u1");
    List<String> asked = new ArrayList<>();
    Optional<Pod> p = EndpointReconciler.pod(ep, Optional.empty(), name -> {
      asked.add(name);
      return pod(name, "u1");
    });
    assertThat(asked).containsExactly("web-1");
    assertThat(EndpointReconciler.ownerPodIsGone(ep, p)).isFalse();
    // What the cache alone said, before: gone.
    assertThat(EndpointReconciler.ownerPodIsGone(ep, Optional.empty())).isTrue();
  }

  @Test
  void aPodTheApiHasNot_orAnotherPodOfTheSameName_isGone() {
    CnmEndpoint ep = endpointFor("web-1", "u1");
    assertThat(EndpointReconciler.ownerPodIsGone(ep, EndpointReconciler.pod(ep, Optional.empty(), name -> null))).isTrue();
    assertThat(EndpointReconciler.ownerPodIsGone(ep, EndpointReconciler.pod(ep, Optional.empty(), name -> pod(name, "u2")))).isTrue();
  }

  @Test
  void aCachedPod_isNotLookedUpAgain() {
    CnmEndpoint ep = endpointFor("web-1", "u1");
    Optional<Pod> p = EndpointReconciler.pod(ep, Optional.of(pod("web-1", "u1")), name -> {
      throw new AssertionError("no API call when the cache has the pod");
    });
    assertThat(EndpointReconciler.ownerPodIsGone(ep, p)).isFalse();
  }
}
