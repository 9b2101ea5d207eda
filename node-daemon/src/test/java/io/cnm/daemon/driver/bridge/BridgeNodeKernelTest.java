package io.cnm.daemon.driver.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.none.NullDriver;
import io.cnm.daemon.kernel.Packets;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.NodeFirewall;
import io.cnm.daemon.nft.Ruleset;
import io.cnm.daemon.sysctl.Sysctls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One node on the real kernel: the bridge driver plus the node's nftables ruleset, in namespaces
 * this test creates. Addresses:
 * <ul>
 *   <li>underlay: node "uplink" 198.18.0.1/24, namespace "outside" 198.18.0.2/24 (RFC 2544 test range)</li>
 *   <li>front 10.10.1.0/24 (a .2, b .3, a's port 5000 published as 8000), back 10.10.2.0/24 (c .2),
 *       internal 10.10.3.0/24 (d .2), noicc 10.10.4.0/24 with enableIcc false (e .2, f .3); gateways .1</li>
 * </ul>
 */
@Tag("kernel")
class BridgeNodeKernelTest {
  TestNamespaces ns;
  NetNamespace node;
  NetNamespace outside;
  Netlink nodeNl;
  BridgeDriver driver;
  final List<NetworkInfo> networks = new ArrayList<>();

  static NetworkInfo net(String name, String subnet, boolean internal, boolean icc) {
    Cidr s = Cidr.parse(subnet);
    Cidr gw = Cidr.of(IpAddress.of(4, s.network().value().add(java.math.BigInteger.ONE)), s.prefixLength());
    return new NetworkInfo("test/" + name, name, "bridge", List.of(s), List.of(gw), internal, 0, 0, false,
        java.util.Map.of(BridgeDriver.NAME, "br-" + name, BridgeDriver.ICC, String.valueOf(icc)));
  }

  EndpointInfo endpoint(String name, NetworkInfo net, String ip, NetNamespace sandbox, List<EndpointInfo.Port> ports) {
    Cidr addr = Cidr.of(IpAddress.parse(ip), 24);
    byte[] b = addr.address().bytes();
    String mac = String.format("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2] & 0xff, b[3] & 0xff);
    return new EndpointInfo("test/" + name, net.key(), sandbox.path(), null, addr, net.gateways().get(0).address(), mac, ports);
  }

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    node = ns.create("node");
    outside = ns.create("outside");
    nodeNl = RouteNetlink.in(node);
    nodeNl.addVeth("uplink", "eth0", 0, outside, null);
    nodeNl.addAddress("uplink", Cidr.parse("198.18.0.1/24"));
    nodeNl.setUp("uplink", true);
    try (Netlink o = RouteNetlink.in(outside)) {
      o.addAddress("eth0", Cidr.parse("198.18.0.2/24"));
      o.setUp("eth0", true);
    }
    Sysctls.set(node, "net/ipv4/ip_forward", "1");
    Sysctls.set(node, "net/ipv4/conf/all/route_localnet", "1");
    driver = new BridgeDriver(new Sandboxes(nodeNl, NetlinkFactory.kernel()));
  }

  @AfterEach
  void tearDown() {
    if (nodeNl != null) {
      nodeNl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  NetNamespace attach(String name, NetworkInfo net, String ip, List<EndpointInfo.Port> ports) {
    if (!networks.contains(net)) {
      networks.add(net);
      driver.ensureNetwork(net);
    }
    NetNamespace sb = ns.create(name);
    driver.join(net, endpoint(name, net, ip, sb, ports));
    return sb;
  }

  void applyFirewall(List<NodeFirewall.Published> published) {
    List<NodeFirewall.Network> fwNets = networks.stream()
        .map(n -> driver.routed(n).orElseThrow()).map(r -> new NodeFirewall.Network(r.bridge(), r.subnets(), r.internal(), r.masquerade()))
        .toList();
    new NftCommand(node.path()).apply(Ruleset.render(new NodeFirewall(fwNets, published)));
  }

  @Test
  void endpointsOnOneNetwork_reachEachOtherOnAllPorts() {
    NetworkInfo front = net("front", "10.10.1.0/24", false, true);
    NetNamespace a = attach("a", front, "10.10.1.2", List.of());
    NetNamespace b = attach("b", front, "10.10.1.3", List.of());
    applyFirewall(List.of());
    assertThat(Packets.echo(a, "10.10.1.2", 7001, b, 3000)).isEqualTo("echo hello");
    assertThat(Packets.echo(a, "10.10.1.2", 40123, b, 3000)).isEqualTo("echo hello");
  }

  @Test
  void twoNetworks_areIsolatedFromEachOther() {
    NetworkInfo front = net("front", "10.10.1.0/24", false, true);
    NetworkInfo back = net("back", "10.10.2.0/24", false, true);
    NetNamespace a = attach("a", front, "10.10.1.2", List.of());
    NetNamespace c = attach("c", back, "10.10.2.2", List.of());
    applyFirewall(List.of());
    assertThat(Packets.echo(a, "10.10.1.2", 7002, c, 1500)).isNull();
    assertThat(Packets.echo(c, "10.10.2.2", 7003, a, 1500)).isNull();
  }

  @Test
  void iccOff_blocksEndpointToEndpoint_butNotTheGateway() {
    NetworkInfo noicc = net("noicc", "10.10.4.0/24", false, false);
    NetNamespace e = attach("e", noicc, "10.10.4.2", List.of());
    NetNamespace f = attach("f", noicc, "10.10.4.3", List.of());
    applyFirewall(List.of());
    assertThat(TestNamespaces.sh("bridge", "-n", ns.fullName("node"), "-d", "link", "show", "dev", BridgeDriver.hostVeth("test/e")))
        .contains("isolated on");
    assertThat(Packets.echo(e, "10.10.4.2", 7004, f, 1500)).isNull();
    assertThat(Packets.echo(node, "10.10.4.1", 7005, f, 3000)).isEqualTo("echo hello");
  }

  @Test
  void normalNetwork_reachesOutsideThroughMasquerade_internalNetworkHasNoEgress() {
    NetworkInfo front = net("front", "10.10.1.0/24", false, true);
    NetworkInfo internal = net("internal", "10.10.3.0/24", true, true);
    NetNamespace a = attach("a", front, "10.10.1.2", List.of());
    NetNamespace d = attach("d", internal, "10.10.3.2", List.of());
    applyFirewall(List.of());
    assertThat(Packets.sourceSeen(outside, "198.18.0.2", 7006, a, 3000)).isEqualTo("from 198.18.0.1");
    assertThat(Packets.sourceSeen(outside, "198.18.0.2", 7007, d, 1500)).isNull();
  }

  @Test
  void publishedPort_isReachableViaTheNodeAddressAndLocalhost_andNothingElseIs() {
    NetworkInfo front = net("front", "10.10.1.0/24", false, true);
    EndpointInfo.Port p = new EndpointInfo.Port("tcp", null, 8000, 5000);
    NetNamespace a = attach("a", front, "10.10.1.2", List.of(p));
    applyFirewall(List.of(new NodeFirewall.Published("br-front", "tcp", null, 8000, IpAddress.parse("10.10.1.2"), 5000)));
    assertThat(Packets.echoVia(a, "10.10.1.2", 5000, outside, "198.18.0.1", 8000, 3000)).isEqualTo("echo hello");
    assertThat(Packets.echoVia(a, "10.10.1.2", 5000, node, "127.0.0.1", 8000, 3000)).isEqualTo("echo hello");
    // Straight to the endpoint from outside (even with a route) is ingress that was not published.
    TestNamespaces.sh("ip", "-n", ns.fullName("outside"), "route", "add", "10.10.1.0/24", "via", "198.18.0.1");
    assertThat(Packets.echo(a, "10.10.1.2", 5000, outside, 1500)).isNull();
    // A port that was not published is not reachable through the node either.
    assertThat(Packets.echoVia(a, "10.10.1.2", 5001, outside, "198.18.0.1", 8001, 1500)).isNull();
  }

  @Test
  void servicesOnTheNodesLocalhost_areNotReachableFromItsL2_despiteRouteLocalnet() {
    // A neighbour that routes 127.0.0.1 to the node (it needs route_localnet itself to put such a packet on a wire).
    String o = ns.fullName("outside");
    Sysctls.set(outside, "net/ipv4/conf/all/route_localnet", "1");
    TestNamespaces.sh("ip", "-n", o, "addr", "del", "127.0.0.1/8", "dev", "lo");
    TestNamespaces.sh("ip", "-n", o, "route", "add", "127.0.0.1/32", "via", "198.18.0.1", "dev", "eth0");
    // Without the node's table the hole is there (CVE-2020-8558): the neighbour reaches a service bound to 127.0.0.1.
    assertThat(Packets.echo(node, "127.0.0.1", 9999, outside, 1500)).isEqualTo("echo hello");
    // The table exists once the node has a network of ours (an empty node keeps no table).
    NetworkInfo front = net("front", "10.10.9.0/24", false, true);
    networks.add(front);
    driver.ensureNetwork(front);
    applyFirewall(List.of());
    assertThat(Packets.echo(node, "127.0.0.1", 9999, outside, 1500)).isNull();
    assertThat(Packets.echo(node, "127.0.0.1", 9999, node, 1500)).isEqualTo("echo hello");
  }

  @Test
  void joinTwice_buildsNothingTwice_andLeaveRemovesTheVeth() {
    NetworkInfo front = net("front", "10.10.1.0/24", false, true);
    NetNamespace a = attach("a", front, "10.10.1.2", List.of());
    EndpointInfo ep = endpoint("a", front, "10.10.1.2", a, List.of());
    String veth = BridgeDriver.hostVeth("test/a");
    Link fresh = nodeNl.link(veth).orElseThrow();
    assertThat(fresh.alias()).isEqualTo(Owned.mark("test/a"));
    assertThat(fresh.up()).isTrue();
    assertThat(fresh.masterIndex()).isEqualTo(nodeNl.link("br-front").orElseThrow().index());
    // A daemon stopped between creating the veth and marking it: the next join marks it, and builds nothing new.
    nodeNl.setAlias(veth, "");
    int before = nodeNl.links().size();
    driver.ensureNetwork(front);
    assertThat(driver.join(front, ep)).isEqualTo("eth0");
    assertThat(nodeNl.links()).hasSize(before);
    assertThat(nodeNl.link(veth).orElseThrow().alias()).isEqualTo(Owned.mark("test/a"));
    try (Netlink inside = RouteNetlink.in(a)) {
      assertThat(inside.links()).extracting(l -> l.name()).containsExactlyInAnyOrder("lo", "eth0");
      assertThat(inside.addresses("eth0")).filteredOn(c -> c.family() == 4).containsExactly(Cidr.parse("10.10.1.2/24"));
      assertThat(inside.link("eth0").orElseThrow().mac()).isEqualTo("02:42:0a:0a:01:02");
    }
    driver.leave(front, ep);
    assertThat(nodeNl.link(veth)).isEmpty();
    driver.removeNetwork(front);
    assertThat(nodeNl.link("br-front")).isEmpty();
  }

  @Test
  void nullSandbox_hasOnlyLoopback() {
    NetNamespace z = ns.create("z");
    new NullDriver(new Sandboxes(nodeNl, NetlinkFactory.kernel())).join(null, new EndpointInfo("test/z", "test/none", z.path(), null, null, null, null, List.of()));
    try (Netlink inside = RouteNetlink.in(z)) {
      assertThat(inside.links()).extracting(l -> l.name()).containsExactly("lo");
      assertThat(inside.link("lo").orElseThrow().up()).isTrue();
    }
  }
}
