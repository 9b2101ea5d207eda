package io.cnm.daemon.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.crd.Crds;
import io.cnm.api.status.ApiServerDispatcher;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The daemon's serialization reads a watch event's object straight into its class for the kinds
 * it reads, a watch's error as a {@link Status}, and knows no kind it was not given (no scan of
 * the class path); an informer on a client made with it gets its objects through a real HTTP
 * server's watch.
 */
public class DaemonKindsTest {
  /** A watch event of one object of this kind. */
  public static String event(String type, String apiVersion, String kind) {
    return "{\"type\":\"" + type + "\",\"object\":{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind
        + "\",\"metadata\":{\"name\":\"x\",\"namespace\":\"ns\",\"resourceVersion\":\"7\"}}}";
  }

  @Test
  void readsTheDaemonsKindsIntoTheirClasses() {
    KubernetesSerialization s = DaemonKinds.serialization();
    assertThat(s.unmarshal(event("ADDED", "cnm.io/v1alpha1", "CnmEndpoint"), WatchEvent.class).getObject()).isInstanceOf(CnmEndpoint.class);
    assertThat(s.unmarshal(event("MODIFIED", "v1", "Pod"), WatchEvent.class).getObject()).isInstanceOf(Pod.class);
    Object gone = s.unmarshal("{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}}",
        WatchEvent.class).getObject();
    assertThat(gone).isInstanceOf(Status.class);
    assertThat(((Status) gone).getCode()).isEqualTo(410);
  }

  @Test
  void knowsNoKindItWasNotGiven() {
    // With the client's default scan this is the Gateway API's class; here it stays generic (nothing loaded for it).
    Object route = DaemonKinds.serialization().unmarshal(event("ADDED", "gateway.networking.k8s.io/v1", "GRPCRoute"), WatchEvent.class)
        .getObject();
    assertThat(route).isExactlyInstanceOf(GenericKubernetesResource.class);
  }

  @Test
  void registersTheKindsWithAnotherClientsSerialization() {
    KubernetesSerialization other = new KubernetesSerialization();
    String added = event("ADDED", "cnm.io/v1alpha1", "CnmEndpoint");
    assertThat(other.unmarshal(added, WatchEvent.class).getObject()).isExactlyInstanceOf(GenericKubernetesResource.class);
    DaemonKinds.register(other);
    assertThat(other.unmarshal(added, WatchEvent.class).getObject()).isInstanceOf(CnmEndpoint.class);
  }

  @Test
  void anInformerOnTheDaemonsClientGetsItsObjectsFromTheWatch() {
    KubernetesMockServer server = ApiServerDispatcher.start();
    try (KubernetesClient admin = server.createClient();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(admin.getConfiguration())
            .withKubernetesSerialization(DaemonKinds.serialization()).build()) {
      Crds.install(admin);
      var informer = client.resources(CnmEndpoint.class).inAnyNamespace().inform();
      CnmEndpoint ep = new CnmEndpoint();
      ep.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("default").build());
      ep.setSpec(new CnmEndpointSpec());
      ep.getSpec().setNetwork("front");
      admin.resource(ep).create();
      // Created after the informer's list: it comes through the watch.
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !informer.getStore().list().isEmpty());
      assertThat(informer.getStore().list().get(0).getSpec().getNetwork()).isEqualTo("front");
      informer.close();
    } finally {
      server.destroy();
    }
  }
}
