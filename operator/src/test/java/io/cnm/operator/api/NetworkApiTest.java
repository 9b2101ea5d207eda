package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.network;
import static io.cnm.operator.api.Objects.netnsEndpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CnmNetwork reconciling against the mock API server. Addresses: Docker's default pools;
 * explicit subnets in 10.1.0.0/16 and 10.2.0.0/16.
 */
class NetworkApiTest {
  OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness().start();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  static Condition ready(CnmNetwork n) {
    return n == null || n.getStatus() == null ? null : Conditions.find(n.getStatus().getConditions(), Conditions.READY).orElse(null);
  }

  CnmNetwork awaitReady(String name, String status) {
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network(name)) != null && status.equals(ready(h.network(name)).getStatus()));
    return h.network(name);
  }

  @Test
  void bridgeWithoutSubnet_getsTheFirstDefaultPool_likeDockerNetworkCreate() {
    h.client.resource(network("pets", "bridge")).create();
    CnmNetwork n = awaitReady("pets", "True");
    assertThat(n.getStatus().getSubnets()).containsExactly("172.17.0.0/16");
    assertThat(n.getStatus().getGateways()).containsExactly("172.17.0.1");
    assertThat(n.getStatus().getNetworkId()).matches("[0-9a-f]{12}");
    assertThat(n.getStatus().getScope()).isEqualTo("local");
    assertThat(n.getStatus().getVni()).isNull();
    assertThat(ready(n).getReason()).isEqualTo("Allocated");
    assertThat(n.getMetadata().getFinalizers()).isNotEmpty();
  }

  @Test
  void overlay_getsASlash24Of10_8AndAVniFrom4096_clusterScoped() {
    h.client.resource(network("ovnet", "overlay")).create();
    CnmNetwork n = awaitReady("ovnet", "True");
    assertThat(n.getStatus().getSubnets()).containsExactly("10.0.0.0/24");
    assertThat(n.getStatus().getVni()).isEqualTo(4096);
    assertThat(n.getStatus().getScope()).isEqualTo("cluster");
  }

  @Test
  void overlappingSubnet_isRejectedWithSubnetConflictNamingTheOther_andTheFirstIsUntouched() {
    h.client.resource(network("first", "bridge", "10.1.0.0/16")).create();
    CnmNetwork first = awaitReady("first", "True");
    h.client.resource(network("second", "bridge", "10.1.2.0/24")).create();
    CnmNetwork second = awaitReady("second", "False");
    assertThat(ready(second).getReason()).isEqualTo("SubnetConflict");
    assertThat(ready(second).getMessage()).contains("10.1.0.0/16").contains("test/first");
    assertThat(second.getStatus().getSubnets()).isEmpty();
    assertThat(h.network("first").getStatus().getSubnets()).isEqualTo(first.getStatus().getSubnets());
    assertThat(ready(h.network("first")).getLastTransitionTime()).isEqualTo(ready(first).getLastTransitionTime());
  }

  @Test
  void invalidSpec_isReadyFalseInvalidSpec_withTheRulesMessage() {
    CnmNetwork bad = network("bad", "bridge", "10.1.0.0/24");
    bad.getSpec().getIpam().getConfig().get(0).setGateway("10.2.0.1");
    h.client.resource(bad).create();
    CnmNetwork n = awaitReady("bad", "False");
    assertThat(ready(n).getReason()).isEqualTo("InvalidSpec");
    assertThat(ready(n).getMessage()).isEqualTo("spec.ipam.config[0]: gateway must be inside the subnet");
    // Nothing was allocated: another network can take that subnet.
    h.client.resource(network("good", "bridge", "10.1.0.0/24")).create();
    assertThat(awaitReady("good", "True").getStatus().getSubnets()).containsExactly("10.1.0.0/24");
  }

  @Test
  void changingTheSubnetOfAReadyNetwork_isRefused_andTheAllocationKept() {
    h.client.resource(network("pets", "bridge", "10.1.0.0/24")).create();
    awaitReady("pets", "True");
    CnmNetwork edit = h.network("pets");
    edit.getSpec().getIpam().getConfig().get(0).setSubnet("10.2.0.0/24");
    h.client.resource(edit).update();
    CnmNetwork n = awaitReady("pets", "False");
    assertThat(ready(n).getReason()).isEqualTo("ImmutableField");
    assertThat(n.getStatus().getSubnets()).containsExactly("10.1.0.0/24");
  }

  @Test
  void deletingANetworkWithEndpoints_isRefusedWithHasEndpoints_untilTheyAreGone() {
    h.client.resource(network("pets", "bridge", "10.1.0.0/24")).create();
    awaitReady("pets", "True");
    h.client.resource(netnsEndpoint("db", "pets", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("db").getStatus() != null
        && Conditions.isTrue(h.endpoint("db").getStatus().getConditions(), Conditions.READY));
    h.client.resource(h.network("pets")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> Conditions.find(h.network("pets").getStatus().getConditions(), Conditions.REMOVABLE)
        .map(c -> "HasEndpoints".equals(c.getReason())).orElse(false));
    assertThat(Conditions.find(h.network("pets").getStatus().getConditions(), Conditions.REMOVABLE).orElseThrow().getMessage())
        .contains("endpoint db");
    assertThat(h.network("pets").getMetadata().getDeletionTimestamp()).isNotNull();
    h.client.resource(h.endpoint("db")).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> h.network("pets") == null);
    h.client.resource(network("again", "bridge", "10.1.0.0/24")).create();
    assertThat(awaitReady("again", "True").getStatus().getSubnets()).containsExactly("10.1.0.0/24");
  }

  @Test
  void networksRacingForTheDefaultPool_neverOverlap() {
    List<CompletableFuture<Void>> creates = IntStream.range(0, 12)
        .mapToObj(i -> CompletableFuture.runAsync(() -> h.client.resource(network("race" + i, i % 2 == 0 ? "bridge" : "overlay")).create()))
        .toList();
    creates.forEach(CompletableFuture::join);
    for (int i = 0; i < 12; i++) {
      awaitReady("race" + i, "True");
    }
    List<String> subnets = IntStream.range(0, 12).mapToObj(i -> h.network("race" + i).getStatus().getSubnets().get(0)).toList();
    assertThat(subnets).doesNotHaveDuplicates();
    List<io.cnm.api.net.Cidr> cidrs = subnets.stream().map(io.cnm.api.net.Cidr::parse).toList();
    for (int i = 0; i < cidrs.size(); i++) {
      for (int j = i + 1; j < cidrs.size(); j++) {
        assertThat(cidrs.get(i).overlaps(cidrs.get(j))).as("%s vs %s", cidrs.get(i), cidrs.get(j)).isFalse();
      }
    }
  }

  @Test
  void defaultPool_avoidsTheSubnetsANodeReports() {
    h.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1")
        .withAnnotations(Map.of("cnm.io/host-subnets", "172.17.0.0/16,10.0.0.0/24")).endMetadata().build()).create();
    h.client.resource(network("pets", "bridge")).create();
    h.client.resource(network("ovnet", "overlay")).create();
    assertThat(awaitReady("pets", "True").getStatus().getSubnets()).containsExactly("172.18.0.0/16");
    assertThat(awaitReady("ovnet", "True").getStatus().getSubnets()).containsExactly("10.0.1.0/24");
  }

  @Test
  void macvlanSubnet_isTheNodesOwnLan_soTheNodeSubnetCheckDoesNotApply_butItDoesForABridge() {
    h.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1")
        .withAnnotations(Map.of("cnm.io/host-subnets", "198.19.0.0/24,192.0.2.0/24")).endMetadata().build()).create();
    io.cnm.api.v1alpha1.CnmNetwork mv = network("mvnet", "macvlan", "198.19.0.0/24");
    io.cnm.api.v1alpha1.MacvlanOptions o = new io.cnm.api.v1alpha1.MacvlanOptions();
    o.setParent("eth0");
    mv.getSpec().setMacvlan(o);
    h.client.resource(mv).create();
    assertThat(awaitReady("mvnet", "True").getStatus().getSubnets()).containsExactly("198.19.0.0/24");
    h.client.resource(network("br", "bridge", "192.0.2.0/24")).create();
    var ready = io.cnm.api.status.Conditions.find(awaitReady("br", "False").getStatus().getConditions(), "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("SubnetConflict");
    assertThat(ready.getMessage()).contains("on the interfaces of node node-1");
  }
}
