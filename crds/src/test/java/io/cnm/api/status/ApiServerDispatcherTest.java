package io.cnm.api.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.crd.Crds;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status rule the mock lacks, as the real API server has it: a stale status PUT is refused, and nothing of it is stored. */
class ApiServerDispatcherTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void setUp() {
    server = ApiServerDispatcher.start();
    client = server.createClient();
    Crds.install(client);
    for (int i = 0; i < 50; i++) { // others in the store: the object is found among them, not alone
      client.resource(endpoint("other-" + i)).create();
    }
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  private static CnmEndpoint endpoint(String name) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("test");
    e.setSpec(new io.cnm.api.v1alpha1.CnmEndpointSpec());
    e.getSpec().setNetwork("net");
    return e;
  }

  private static CnmEndpoint withNode(CnmEndpoint e, String node) {
    CnmEndpointStatus s = new CnmEndpointStatus();
    s.setNodeName(node);
    e.setStatus(s);
    return e;
  }

  @Test
  void aStatusPutWithTheCurrentVersion_isStored_andOneWithAnOlderVersion_isAConflict_thatStoresNothing() {
    CnmEndpoint created = client.resource(endpoint("ep")).create();
    CnmEndpoint first = client.resource(withNode(client.getKubernetesSerialization().clone(created), "node-1")).updateStatus();
    assertThat(first.getStatus().getNodeName()).isEqualTo("node-1");
    assertThat(first.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());

    CnmEndpoint stale = withNode(client.getKubernetesSerialization().clone(created), "node-2"); // the version before the first write
    assertThatThrownBy(() -> client.resource(stale).updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).isEqualTo(409));
    CnmEndpoint now = client.resources(CnmEndpoint.class).inNamespace("test").withName("ep").get();
    assertThat(now.getStatus().getNodeName()).isEqualTo("node-1");
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());

    CnmEndpoint again = client.resource(withNode(now, "node-3")).updateStatus(); // from the current version: stored
    assertThat(again.getStatus().getNodeName()).isEqualTo("node-3");
  }

  @Test
  void aStatusPutWithoutAVersion_isStoredUnconditionally_andOneForAMissingObject_isNotFound() {
    client.resource(endpoint("ep")).create();
    CnmEndpoint noVersion = withNode(endpoint("ep"), "node-9");
    assertThat(client.resource(noVersion).updateStatus().getStatus().getNodeName()).isEqualTo("node-9");

    CnmEndpoint missing = withNode(endpoint("nowhere"), "node-1");
    missing.getMetadata().setResourceVersion("1");
    assertThatThrownBy(() -> client.resource(missing).updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void aRefusedStatusPut_leavesNoCheckBehindForTheNextRequests() {
    CnmEndpoint created = client.resource(endpoint("ep")).create();
    client.resource(withNode(client.getKubernetesSerialization().clone(created), "node-1")).updateStatus();
    assertThatThrownBy(() -> client.resource(withNode(client.getKubernetesSerialization().clone(created), "node-2")).updateStatus())
        .isInstanceOf(KubernetesClientException.class);
    // The object itself, replaced with its current version, and its labels patched: no check of a status PUT left behind.
    CnmEndpoint now = client.resources(CnmEndpoint.class).inNamespace("test").withName("ep").get();
    now.getMetadata().setLabels(java.util.Map.of("a", "b"));
    assertThat(client.resource(now).update().getMetadata().getLabels()).containsEntry("a", "b");
    assertThat(client.resources(CnmEndpoint.class).inNamespace("test").withName("other-3").get()).isNotNull();
  }
}
