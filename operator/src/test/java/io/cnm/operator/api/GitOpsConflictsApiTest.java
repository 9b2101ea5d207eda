package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.status.Conditions;
import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.operator.Keys;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitOps applies a directory at once, in no particular order: conflicts (overlapping subnets, a
 * static address) must go the same way every time. The older object wins (creationTimestamp,
 * then namespace/name), also when the younger one was reconciled first and took the resource; it
 * gives it back as long as nothing of it is realized.
 */
class GitOpsConflictsApiTest {
  OperatorHarness h;

  @BeforeEach
  void setUp() {
    h = new OperatorHarness().start();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  static Condition ready(CnmNetwork n) {
    return n == null || n.getStatus() == null ? null : Conditions.find(n.getStatus().getConditions(), Conditions.READY).orElse(null);
  }

  static Condition ready(CnmEndpoint e) {
    return Objects.ready(e);
  }

  @Test
  void overlappingNetworksAppliedInShuffledOrders_alwaysGiveTheSubnetToTheOldest() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 6; trial++) {
      List<String> names = new ArrayList<>(List.of("blue-" + trial, "green-" + trial, "red-" + trial));
      Collections.shuffle(names, rnd);
      String subnet = "10.50." + (trial % 2) + ".0/24";
      names.forEach(n -> h.client.resource(network(n, "bridge", subnet)).create());
      await().atMost(Duration.ofSeconds(30)).until(() -> names.stream().allMatch(n -> ready(h.network(n)) != null));
      // Give every reconcile that was under way time to finish, then read the outcome.
      await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
          .until(() -> names.stream().filter(n -> "True".equals(ready(h.network(n)).getStatus())).count() == 1);
      CnmNetwork oldest = names.stream().map(h::network).min((a, b) -> Keys.older(a, b) ? -1 : 1).orElseThrow();
      List<String> winners = names.stream().filter(n -> "True".equals(ready(h.network(n)).getStatus())).toList();
      assertThat(winners).as("trial %d, created in the order %s", trial, names).containsExactly(oldest.getMetadata().getName());
      names.forEach(n -> h.client.resource(h.network(n)).delete());
      await().atMost(Duration.ofSeconds(30)).until(() -> names.stream().allMatch(n -> h.network(n) == null));
    }
  }

  @Test
  void anOlderNetworkReconciledLate_takesTheSubnetBackFromAYoungerOneWithNothingRealized() {
    CnmNetwork old = network("old", "bridge", "10.51.0.0/24");
    old.getSpec().getIpam().getConfig().get(0).setGateway("10.99.0.1"); // invalid for now: not reconciled to an allocation
    h.client.resource(old).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("old")) != null);
    h.client.resource(network("young", "bridge", "10.51.0.0/24")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("young")) != null && "True".equals(ready(h.network("young")).getStatus()));

    CnmNetwork fixed = h.network("old");
    fixed.getSpec().getIpam().getConfig().get(0).setGateway("10.51.0.1");
    h.client.resource(fixed).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(ready(h.network("old")).getStatus()));
    assertThat(h.network("old").getStatus().getSubnets()).containsExactly("10.51.0.0/24");
    CnmNetwork young = h.network("young");
    assertThat(ready(young).getStatus()).isEqualTo("False");
    assertThat(ready(young).getReason()).isEqualTo("SubnetConflict");
    assertThat(ready(young).getMessage()).contains("gave its subnets and VNI to network test/old");
    assertThat(young.getStatus().getSubnets()).isEmpty();
    assertThat(h.ipam().leakedAddresses()).isZero();
  }

  @Test
  void aYoungerNetworkWithARealizedEndpoint_keepsItsSubnet() {
    CnmNetwork old = network("old", "bridge", "10.52.0.0/24");
    old.getSpec().getIpam().getConfig().get(0).setGateway("10.99.0.1");
    h.client.resource(old).create();
    h.client.resource(network("young", "bridge", "10.52.0.0/24")).create();
    h.client.resource(netnsEndpoint("web", "young", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("web")) != null && "True".equals(ready(h.endpoint("web")).getStatus()));
    EndpointStatusOwners.writeDaemonPart(h.client, h.endpoint("web"), true, "Realized", "eth0 in the sandbox on node node-1", "eth0");

    CnmNetwork fixed = h.network("old");
    fixed.getSpec().getIpam().getConfig().get(0).setGateway("10.52.0.1");
    h.client.resource(fixed).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> "SubnetConflict".equals(ready(h.network("old")).getReason()));
    assertThat(ready(h.network("young")).getStatus()).isEqualTo("True");
    assertThat(ready(h.network("old")).getMessage()).contains("overlaps 10.52.0.0/24 of network test/young");
  }

  @Test
  void aStaticAddress_goesToTheOlderEndpoint_andTheYoungerDynamicOneMovesOn() throws InterruptedException {
    h.client.resource(network("net", "bridge", "10.53.0.0/24")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("net")) != null && "True".equals(ready(h.network("net")).getStatus()));
    CnmEndpoint old = netnsEndpoint("old", "net", "node-1", "10.53.0.2");
    old.getSpec().getSandbox().setPod("x"); // two sandbox forms: invalid for now, so the younger ones are bound first
    h.client.resource(old).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("old")) != null);
    // Created a second later (the API's resolution): older by time, though "dynamic" comes first by name.
    Thread.sleep(1_100);
    h.client.resource(netnsEndpoint("dynamic", "net", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("dynamic")) != null && "True".equals(ready(h.endpoint("dynamic")).getStatus()));
    assertThat(h.endpoint("dynamic").getStatus().getIpv4Address()).isEqualTo("10.53.0.2/24");

    CnmEndpoint fixed = h.endpoint("old");
    fixed.getSpec().getSandbox().setPod(null);
    h.client.resource(fixed).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(ready(h.endpoint("old")).getStatus()));
    assertThat(h.endpoint("old").getStatus().getIpv4Address()).isEqualTo("10.53.0.2/24");
    await().atMost(Duration.ofSeconds(20)).until(() -> !"10.53.0.2/24".equals(h.endpoint("dynamic").getStatus().getIpv4Address()));
    assertThat(ready(h.endpoint("dynamic")).getStatus()).isEqualTo("True");
    assertThat(h.ipam().leakedAddresses()).isZero();
  }
}
