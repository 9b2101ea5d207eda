package io.cnm.operator.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.Cidr;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.Ipam;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.OverlayOptions;
import io.cnm.operator.error.CnmException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's default pools; explicit subnets in 10.1.0.0/16 and 10.2.0.0/16; nodes n1, n2. */
class IpamTest {
  final io.cnm.operator.ipam.Ipam ipam = io.cnm.operator.ipam.Ipam.withDockerDefaults();

  static CnmNetworkSpec bridge(String... subnets) {
    CnmNetworkSpec s = new CnmNetworkSpec();
    if (subnets.length > 0) {
      Ipam i = new Ipam();
      i.setConfig(java.util.Arrays.stream(subnets).map(IpamConfig::new).toList());
      s.setIpam(i);
    }
    return s;
  }

  static CnmNetworkSpec overlay(Integer vni) {
    CnmNetworkSpec s = new CnmNetworkSpec();
    s.setDriver("overlay");
    if (vni != null) {
      OverlayOptions o = new OverlayOptions();
      o.setVni(vni);
      s.setOverlay(o);
    }
    return s;
  }

  static String subnet(NetworkAllocation a) {
    return a.subnets().get(0).cidr().toString();
  }

  @Test
  void localNetworks_takeDockersDefaultPoolsInOrder() {
    assertThat(subnet(ipam.allocateNetwork("ns/a", bridge()))).isEqualTo("172.17.0.0/16");
    assertThat(subnet(ipam.allocateNetwork("ns/b", bridge()))).isEqualTo("172.18.0.0/16");
    assertThat(ipam.network("ns/a").orElseThrow().subnets().get(0).gateway()).hasToString("172.17.0.1");
  }

  @Test
  void localPoolsExhausted_continueIn192168_as20s() {
    for (int i = 17; i <= 31; i++) {
      ipam.allocateNetwork("ns/n" + i, bridge());
    }
    assertThat(subnet(ipam.allocateNetwork("ns/next", bridge()))).isEqualTo("192.168.0.0/20");
    assertThat(subnet(ipam.allocateNetwork("ns/next2", bridge()))).isEqualTo("192.168.16.0/20");
  }

  @Test
  void clusterNetworks_takeSlash24sOf10_8() {
    assertThat(subnet(ipam.allocateNetwork("ns/o1", overlay(null)))).isEqualTo("10.0.0.0/24");
    assertThat(subnet(ipam.allocateNetwork("ns/o2", overlay(null)))).isEqualTo("10.0.1.0/24");
  }

  @Test
  void defaultPool_skipsNodeInterfaceSubnetsAndExplicitNetworks() {
    ipam.setNodeSubnets("n1", List.of(Cidr.parse("172.17.0.1/16"), Cidr.parse("10.0.0.0/16")));
    assertThat(subnet(ipam.allocateNetwork("ns/a", bridge()))).isEqualTo("172.18.0.0/16");
    assertThat(subnet(ipam.allocateNetwork("ns/o", overlay(null)))).isEqualTo("10.1.0.0/24");
  }

  @Test
  void overlappingExplicitSubnet_isASubnetConflictNamingTheOtherNetwork() {
    ipam.allocateNetwork("ns/first", bridge("10.1.0.0/16"));
    assertThatThrownBy(() -> ipam.allocateNetwork("ns/second", bridge("10.1.2.0/24")))
        .isInstanceOfSatisfying(CnmException.Conflict.class, e -> assertThat(e.reason()).isEqualTo("SubnetConflict"))
        .hasMessageContaining("ns/first");
    assertThat(ipam.network("ns/second")).isEmpty();
    assertThat(subnet(ipam.network("ns/first").orElseThrow())).isEqualTo("10.1.0.0/16");
  }

  @Test
  void changedSubnet_isRefused_andTheAllocationKept() {
    ipam.allocateNetwork("ns/a", bridge("10.1.0.0/16"));
    assertThatThrownBy(() -> ipam.allocateNetwork("ns/a", bridge("10.2.0.0/16")))
        .isInstanceOfSatisfying(CnmException.InvalidConfig.class, e -> assertThat(e.reason()).isEqualTo("ImmutableField"));
    assertThat(subnet(ipam.network("ns/a").orElseThrow())).isEqualTo("10.1.0.0/16");
  }

  @Test
  void localScope_addressesAreUniquePerNode_clusterScope_acrossTheCluster() {
    ipam.allocateNetwork("ns/br", bridge("10.1.0.0/24"));
    ipam.allocateNetwork("ns/ov", overlay(null));
    assertThat(ipam.allocateEndpoint("ns/br", "ep1", "n1", null, null).ipv4()).hasToString("10.1.0.2/24");
    assertThat(ipam.allocateEndpoint("ns/br", "ep2", "n2", null, null).ipv4()).hasToString("10.1.0.2/24");
    assertThat(ipam.allocateEndpoint("ns/ov", "ep3", "n1", null, null).ipv4()).hasToString("10.0.0.2/24");
    assertThat(ipam.allocateEndpoint("ns/ov", "ep4", "n2", null, null).ipv4()).hasToString("10.0.0.3/24");
  }

  @Test
  void vnis_startAt4096_andAGivenVniIsChecked() {
    assertThat(ipam.allocateNetwork("ns/o1", overlay(null)).vni()).isEqualTo(4096);
    assertThat(ipam.allocateNetwork("ns/o2", overlay(5000)).vni()).isEqualTo(5000);
    assertThatThrownBy(() -> ipam.allocateNetwork("ns/o3", overlay(5000)))
        .isInstanceOfSatisfying(CnmException.Conflict.class, e -> assertThat(e.reason()).isEqualTo("VniConflict"))
        .hasMessageContaining("ns/o2");
    assertThat(ipam.allocateNetwork("ns/o4", overlay(null)).vni()).isEqualTo(4097);
  }

  @Test
  void vipOfALocalNetwork_isFreeOnEveryNode_andNodesJoiningLaterSkipIt() {
    ipam.allocateNetwork("ns/br", bridge("10.1.0.0/24"));
    ipam.allocateEndpoint("ns/br", "a", "n1", null, null);
    ipam.allocateEndpoint("ns/br", "b", "n2", null, null);
    ipam.allocateEndpoint("ns/br", "c", "n2", null, null);
    Cidr vip = ipam.allocateVip("ns/br", "svc:ns/web");
    assertThat(vip).hasToString("10.1.0.4/24");
    assertThat(ipam.allocateEndpoint("ns/br", "d", "n3", null, null).ipv4()).hasToString("10.1.0.2/24");
    assertThat(ipam.allocateEndpoint("ns/br", "e", "n3", null, null).ipv4()).hasToString("10.1.0.3/24");
    assertThat(ipam.allocateEndpoint("ns/br", "f", "n3", null, null).ipv4()).hasToString("10.1.0.5/24");
  }

  @Test
  void usage_countsAVipOnce_andReportsTheFullestNodesFreeAddresses() {
    ipam.allocateNetwork("ns/br", bridge("10.1.0.0/29")); // .2-.6 dynamic (gateway .1)
    assertThat(ipam.usage().get("ns/br")).isEqualTo(new io.cnm.operator.ipam.Ipam.Usage(0, 5, 0));
    ipam.allocateEndpoint("ns/br", "a", "n1", null, null);
    ipam.allocateEndpoint("ns/br", "b", "n2", null, null);
    ipam.allocateEndpoint("ns/br", "c", "n2", null, null);
    ipam.allocateVip("ns/br", "svc:ns/web");
    // Three endpoints and one VIP (held on every node, counted once); n2 is fullest: 5 - 2 - VIP = 2.
    assertThat(ipam.usage().get("ns/br")).isEqualTo(new io.cnm.operator.ipam.Ipam.Usage(4, 2, 1));
    ipam.allocateNetwork("ns/o", overlay(null));
    assertThat(ipam.vnisInUse()).isEqualTo(1);
    ipam.releaseVip("ns/br", "svc:ns/web");
    ipam.releaseEndpoint("ns/br", "c");
    assertThat(ipam.usage().get("ns/br")).isEqualTo(new io.cnm.operator.ipam.Ipam.Usage(2, 4, 0));
    ipam.releaseEndpointEverywhere("a");
    ipam.releaseEndpointEverywhere("b");
    ipam.releaseNetwork("ns/br");
    assertThat(ipam.usage()).doesNotContainKey("ns/br");
  }

  @Test
  void restore_rebuildsFromStatus_andNewAllocationsNeverDuplicate() {
    ipam.allocateNetwork("ns/br", bridge("10.1.0.0/24"));
    var a = ipam.allocateEndpoint("ns/br", "a", "n1", null, null);
    var b = ipam.allocateEndpoint("ns/br", "b", "n1", null, null);
    var restarted = io.cnm.operator.ipam.Ipam.withDockerDefaults();
    restarted.restoreNetwork("ns/br", bridge("10.1.0.0/24"), List.of("10.1.0.0/24"), List.of("10.1.0.1"), null);
    restarted.restoreEndpoint("ns/br", "a", "n1", a.ipv4().toString(), null);
    restarted.restoreEndpoint("ns/br", "b", "n1", b.ipv4().toString(), null);
    var c = restarted.allocateEndpoint("ns/br", "c", "n1", null, null);
    assertThat(c.ipv4()).isNotIn(a.ipv4(), b.ipv4());
    assertThat(restarted.allocations().get("ns/br").get("n1")).hasSize(3);
  }

  @Test
  void remoteIpamDriver_isReportedUnavailable() {
    CnmNetworkSpec s = bridge();
    Ipam i = new Ipam();
    i.setDriver("infoblox");
    s.setIpam(i);
    assertThatThrownBy(() -> ipam.allocateNetwork("ns/x", s))
        .isInstanceOfSatisfying(CnmException.InvalidConfig.class, e -> assertThat(e.reason()).isEqualTo("IpamDriverUnavailable"));
  }

  @Test
  void hostAndNullNetworks_getNoSubnet() {
    CnmNetworkSpec host = new CnmNetworkSpec();
    host.setDriver("host");
    assertThat(ipam.allocateNetwork("ns/host", host).subnets()).isEmpty();
    assertThat(subnet(ipam.allocateNetwork("ns/a", bridge()))).isEqualTo("172.17.0.0/16");
  }

  @Test
  void release_freesSubnetAndVniForReuse() {
    ipam.allocateNetwork("ns/o1", overlay(5000));
    ipam.releaseNetwork("ns/o1");
    assertThat(ipam.allocateNetwork("ns/o2", overlay(5000)).vni()).isEqualTo(5000);
    assertThat(ipam.allocations()).containsOnlyKeys("ns/o2");
    assertThat(Map.copyOf(ipam.allocations())).isNotEmpty();
  }
}
