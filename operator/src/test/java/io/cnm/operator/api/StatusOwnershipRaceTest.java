package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.status.Conditions;
import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator and the node-daemon write the same CnmEndpoint status. Here the operator writes
 * 200 times from a copy taken before the daemon ever reported (the stalest cache there can be),
 * while the daemon reports 200 times, and the running operator reconciles on top: after every
 * daemon write its Realized condition is there, as written, and the operator's Ready is never
 * lost either.
 */
class StatusOwnershipRaceTest {
  OperatorHarness h;

  @BeforeEach
  void setUp() {
    h = new OperatorHarness().start();
    h.client.resource(network("net", "bridge", "10.44.0.0/24")).create();
    h.client.resource(netnsEndpoint("ep", "net", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("ep") != null && h.endpoint("ep").getStatus() != null
        && Conditions.isTrue(h.endpoint("ep").getStatus().getConditions(), Conditions.READY));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void aStaleOperatorWrite_neverErasesTheDaemonsRealized_norTheDaemonTheOperatorsReady() throws Exception {
    CnmEndpoint stale = h.endpoint("ep");
    assertThat(Conditions.find(stale.getStatus().getConditions(), Conditions.REALIZED)).isEmpty();
    CompletableFuture<Void> operator = CompletableFuture.runAsync(() -> {
      for (int j = 0; j < 200; j++) {
        CnmEndpointStatus mine = new CnmEndpointStatus(stale.getStatus());
        mine.setConditions(Conditions.set(mine.getConditions(), Conditions.READY, true, "Bound", "bound, write " + j, 1L));
        EndpointStatusOwners.writeOperatorPart(h.client, stale, mine);
      }
    });
    for (int i = 0; i < 200; i++) {
      boolean ok = i % 3 != 0;
      EndpointStatusOwners.writeDaemonPart(h.client, stale, ok, ok ? "Realized" : "JoinFailed", "pass " + i, "eth" + (i % 2));
      CnmEndpoint now = h.endpoint("ep");
      Condition realized = Conditions.find(now.getStatus().getConditions(), Conditions.REALIZED).orElse(null);
      assertThat(realized).as("Realized after daemon write %d", i).isNotNull();
      assertThat(realized.getMessage()).isEqualTo("pass " + i);
      assertThat(now.getStatus().getInterfaceName()).isEqualTo("eth" + (i % 2));
      assertThat(Conditions.find(now.getStatus().getConditions(), Conditions.READY)).as("Ready after daemon write %d", i).isPresent();
      assertThat(now.getStatus().getIpv4Address()).isEqualTo("10.44.0.2/24");
    }
    operator.get(60, TimeUnit.SECONDS);
    CnmEndpoint end = h.endpoint("ep");
    assertThat(Conditions.find(end.getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage()).isEqualTo("pass 199");
    assertThat(Conditions.find(end.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage()).isEqualTo("bound, write 199");
  }
}
