package io.cnm.api.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.crd.Crds;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A write from the caller's copy: one request when the copy is current; a conflict, told, and the change made again when it is stale. */
class StatusUpdatesTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void setUp() {
    server = ApiServerDispatcher.start();
    client = server.createClient();
    Crds.install(client);
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  @Test
  void aCurrentCopy_isWrittenWithoutAConflict_aStaleOne_conflictsOnce_andTheChangeIsMadeOnTheObjectAsItIsNow() {
    CnmEndpoint ep = new CnmEndpoint();
    ep.getMetadata().setName("ep");
    ep.getMetadata().setNamespace("test");
    ep.setSpec(new CnmEndpointSpec());
    ep.getSpec().setNetwork("net");
    CnmEndpoint created = client.resource(ep).create();
    AtomicInteger conflicts = new AtomicInteger();

    CnmEndpoint first = EndpointStatusOwners.writeDaemonPart(client, created, true, "Realized", "eth0 in the sandbox", "eth0",
        conflicts::incrementAndGet, c -> client.resource(c).updateStatus());
    assertThat(conflicts).hasValue(0);
    assertThat(first.getStatus().getInterfaceName()).isEqualTo("eth0");

    // From the copy before that write: its resourceVersion is stale, so the API server refuses it once.
    CnmEndpoint second = EndpointStatusOwners.writeDaemonPart(client, created, false, "JoinFailed", "no such sandbox", null,
        conflicts::incrementAndGet, c -> client.resource(c).updateStatus());
    assertThat(conflicts).hasValue(1);
    assertThat(Conditions.find(second.getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getReason()).isEqualTo("JoinFailed");
    assertThat(second.getStatus().getInterfaceName()).as("the first write's part, kept").isEqualTo("eth0");
  }
}
