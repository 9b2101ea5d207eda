package io.cnm.daemon.driver.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The overlay driver on one node (namespace "node", underlay eth0 198.18.60.1/24 with MTU 1500 to
 * a namespace "peer"): overlay 10.96.0.0/24 with VNI 7001; sandboxes s1 (10.96.0.2), s2
 * (10.96.0.3), s3 (10.96.0.4); remote peers at 10.96.0.10+ behind VTEP 198.18.60.2.
 */
@Tag("kernel")
class OverlayDriverKernelTest {
  TestNamespaces ns;
  NetNamespace node;
  Netlink nl;
  final NetworkInfo net = new NetworkInfo("t/ov", "ovtest000001", "overlay", List.of(Cidr.parse("10.96.0.0/24")),
      List.of(Cidr.parse("10.96.0.1/24")), false, 0, 7001, true, Map.of());

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    node = ns.create("node");
    ns.create("peer");
    TestNamespaces.sh("ip", "-n", ns.fullName("node"), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns",
        ns.fullName("peer"));
    TestNamespaces.sh("ip", "-n", ns.fullName("node"), "addr", "add", "198.18.60.1/24", "dev", "eth0");
    TestNamespaces.sh("ip", "-n", ns.fullName("node"), "link", "set", "eth0", "up");
    nl = RouteNetlink.in(node);
  }

  @AfterEach
  void tearDown() {
    if (nl != null) {
      nl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  OverlayDriver driver() {
    Sandboxes sb = new Sandboxes(nl, NetlinkFactory.kernel());
    return new OverlayDriver(sb, new Underlay(IpAddress.parse("198.18.60.1"), 1500), new GwBridge(sb, Cidr.parse("172.31.240.0/20")));
  }

  EndpointInfo ep(String name, NetNamespace sandbox, String ip) {
    IpAddress a = IpAddress.parse(ip);
    return new EndpointInfo("t/" + name, net.key(), sandbox.path(), null, Cidr.of(a, 24), null, MacAddresses.fromIpv4(a), List.of());
  }

  static Peer peer(int i) {
    IpAddress ip = IpAddress.parse("10.96.0." + (10 + i));
    return new Peer(ip, MacAddresses.fromIpv4(ip), IpAddress.parse("198.18.60.2"));
  }

  String fdb() {
    return TestNamespaces.sh("bridge", "-n", ns.fullName("node"), "fdb", "show", "dev", OverlayDriver.vxlanName(net));
  }

  @Test
  void network_isABridgeAndAVxlanWithTheVniLocalVtepNoLearningAndArpProxy_mtu1450() {
    driver().ensureNetwork(net);
    String vx = TestNamespaces.sh("ip", "-n", ns.fullName("node"), "-d", "link", "show", OverlayDriver.vxlanName(net));
    assertThat(vx).contains("vxlan id 7001 local 198.18.60.1").contains("dstport 4789").contains("nolearning").contains("proxy")
        .contains("mtu 1450").contains("master " + OverlayDriver.bridgeName(net));
    assertThat(nl.addresses(OverlayDriver.bridgeName(net))).as("no overlay address on the node").noneMatch(c -> c.family() == 4);
  }

  @Test
  void peers_becomeStaticFdbAndNeighbourEntries_andOnlyTheDifferenceIsApplied() {
    OverlayDriver d = driver();
    d.ensureNetwork(net);
    d.setPeers(net, Set.of(peer(0), peer(1)));
    assertThat(fdb()).contains(peer(0).mac() + " dst 198.18.60.2 self permanent").contains(peer(1).mac() + " dst 198.18.60.2");
    d.setPeers(net, Set.of(peer(1), peer(2)));
    assertThat(fdb()).doesNotContain(peer(0).mac()).contains(peer(1).mac()).contains(peer(2).mac());
    assertThat(nl.neighbours(OverlayDriver.vxlanName(net))).filteredOn(n -> n.permanent() && n.ip().family() == 4)
        .extracting(n -> n.ip().toString()).containsExactlyInAnyOrder("10.96.0.11", "10.96.0.12");
  }

  @Test
  void restartedDriver_readsThePeersFromTheKernel_andRemovesOnlyStaleOnes() {
    OverlayDriver first = driver();
    first.ensureNetwork(net);
    first.setPeers(net, Set.of(peer(0), peer(1)));
    OverlayDriver second = driver(); // a restarted daemon: nothing in memory
    second.ensureNetwork(net);
    second.setPeers(net, Set.of(peer(1)));
    assertThat(fdb()).doesNotContain(peer(0).mac()).contains(peer(1).mac());
  }

  @Test
  void sandboxes_getTheOverlayAndTheGwbridge_andGwbridgeAddressesSurviveARestartWithoutADuplicate() {
    NetNamespace s1 = ns.create("s1");
    NetNamespace s2 = ns.create("s2");
    NetNamespace s3 = ns.create("s3");
    OverlayDriver d = driver();
    d.ensureNetwork(net);
    assertThat(d.join(net, ep("s1", s1, "10.96.0.2"))).isEqualTo("eth0");
    d.join(net, ep("s2", s2, "10.96.0.3"));
    String s1Addrs = TestNamespaces.sh("ip", "-n", ns.fullName("s1"), "-4", "-o", "addr");
    assertThat(s1Addrs).containsPattern("eth0\\s+inet 10\\.96\\.0\\.2/24").containsPattern("eth1\\s+inet 172\\.31\\.240\\.2/20");
    assertThat(TestNamespaces.sh("ip", "-n", ns.fullName("s1"), "route")).contains("default via 172.31.240.1 dev eth1");
    // A restarted daemon (new driver, new gwbridge allocator) must not give s1's or s2's address to s3.
    OverlayDriver after = driver();
    after.join(net, ep("s3", s3, "10.96.0.4"));
    assertThat(TestNamespaces.sh("ip", "-n", ns.fullName("s3"), "-4", "-o", "addr")).containsPattern("eth1\\s+inet 172\\.31\\.240\\.4/20");
    assertThat(after.publishTarget(net, ep("s1", s1, "10.96.0.2")).orElseThrow().address().toString()).isEqualTo("172.31.240.2");
    after.leave(net, ep("s2", s2, "10.96.0.3"));
    assertThat(nl.link(GwBridge.hostVeth("t/s2"))).isEmpty();
  }
}
