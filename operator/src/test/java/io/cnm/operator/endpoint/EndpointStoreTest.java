package io.cnm.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class EndpointStoreTest {
  /** An endpoint as the informer reads it: every string its own copy, as JSON parsing makes them. */
  public static CnmEndpoint bound(String name, String ready) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("shop");
    e.getMetadata().setResourceVersion("7");
    e.getMetadata().setLabels(Map.of("app", "web", "cnm.io/node", "node-7", "cnm.io/network", "front"));
    e.getMetadata().setOwnerReferences(List.of(new OwnerReference("v1", true, true, "Pod", name.substring(0, 5), "u-" + name)));
    e.getMetadata().setFinalizers(new java.util.ArrayList<>(List.of("cnmendpoints.cnm.io/finalizer")));
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork("front");
    spec.setSandbox(Sandbox.ofPod(name.substring(0, 5)));
    e.setSpec(spec);
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setNodeName("node-7");
    st.setIpv4Address("10.1.0.7/24");
    st.setGateway("10.1.0.1");
    st.setNetworkId("3f2a");
    st.getConditions().add(new Condition("2026-11-29T10:00:00Z", "bound to node-7", 1L, "Bound", ready, "Ready"));
    e.setStatus(st);
    return Serialization.unmarshal(Serialization.asJson(e), CnmEndpoint.class);
  }

  @Test
  void sharing_changesNoValue_andTwoEndpointsThenHoldOneInstanceOfWhatTheyRepeat() {
    CnmEndpoint a = bound("web-1-front", "True");
    CnmEndpoint b = bound("web-2-front", "True");
    assertThat(a.getMetadata().getNamespace()).isNotSameAs(b.getMetadata().getNamespace());
    CnmEndpoint before = bound("web-1-front", "True");
    EndpointStore.share(a);
    EndpointStore.share(b);
    assertThat(Serialization.asJson(a)).isEqualTo(Serialization.asJson(before));
    assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
    assertThat(a.getMetadata().getLabels().get("cnm.io/node")).isSameAs(b.getMetadata().getLabels().get("cnm.io/node"));
    assertThat(a.getSpec().getNetwork()).isSameAs(b.getSpec().getNetwork());
    assertThat(a.getStatus().getGateway()).isSameAs(b.getStatus().getGateway());
    assertThat(a.getStatus().getConditions().get(0).getReason()).isSameAs(b.getStatus().getConditions().get(0).getReason());
    assertThat(a.getMetadata().getOwnerReferences().get(0).getKind()).isSameAs(b.getMetadata().getOwnerReferences().get(0).getKind());
    assertThat(a.getMetadata().getFinalizers().get(0)).isSameAs(b.getMetadata().getFinalizers().get(0));
  }
}
