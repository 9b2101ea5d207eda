package io.cnm.daemon.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.Packets;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * rtnetlink against the real kernel, inside namespaces this test creates. Addresses: 10.99.0.0/24
 * on the test bridge, gateway 10.99.0.1, sandboxes 10.99.0.2 and 10.99.0.3.
 */
@Tag("kernel")
class RouteNetlinkKernelTest {
  TestNamespaces namespaces;
  NetNamespace node;
  Netlink nl;

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    namespaces = new TestNamespaces();
    node = namespaces.create("node");
    nl = RouteNetlink.in(node);
  }

  @AfterEach
  void tearDown() {
    if (nl != null) {
      nl.close();
    }
    if (namespaces != null) {
      namespaces.close();
    }
  }

  @Test
  void bridge_isCreatedWithMtu_andSetUp() {
    nl.addBridge("br-test", 1400);
    nl.setUp("br-test", true);
    Link br = nl.link("br-test").orElseThrow();
    assertThat(br.kind()).isEqualTo("bridge");
    assertThat(br.mtu()).isEqualTo(1400);
    assertThat(br.up()).isTrue();
    assertThat(TestNamespaces.sh("ip", "-n", namespaces.fullName("node"), "-d", "link", "show", "br-test")).contains("bridge");
  }

  @Test
  void markRuleAndATableOfItsOwn_areWhatIpRuleAndIpRouteShow_andAddingTwiceChangesNothing() {
    nl.addBridge("esp-test", 0);
    nl.setUp("esp-test", true);
    nl.addRoute(null, null, "esp-test", 145);
    nl.addMarkRule(0x4500, 145, 1000);
    nl.addMarkRule(0x4500, 145, 1000);
    String full = namespaces.fullName("node");
    String rules = TestNamespaces.sh("ip", "-n", full, "rule", "show");
    assertThat(rules.lines().filter(l -> l.contains("fwmark 0x4500")).map(String::strip).toList()).as(rules)
        .containsExactly("1000:\tfrom all fwmark 0x4500 lookup 145");
    assertThat(TestNamespaces.sh("ip", "-n", full, "route", "show", "table", "145")).startsWith("default dev esp-test");
    assertThat(nl.markRules()).containsExactly(new MarkRule(0x4500, 145, 1000));
    assertThat(nl.routes(145)).singleElement().satisfies(r -> {
      assertThat(r.destination().prefixLength()).isZero();
      assertThat(r.deviceIndex()).isEqualTo(nl.link("esp-test").orElseThrow().index());
    });
    // Not in the main table: only the kernel's own link-local route there.
    assertThat(nl.routes()).noneMatch(r -> r.deviceIndex() == nl.link("esp-test").orElseThrow().index() && r.destination().prefixLength() == 0);
    nl.deleteMarkRule(0x4500, 145, 1000);
    nl.deleteMarkRule(0x4500, 145, 1000);
    assertThat(nl.markRules()).isEmpty();
  }

  @Test
  void vethPeer_isCreatedInsideTheSandbox_namedEth0_withItsMac() {
    NetNamespace sandbox = namespaces.create("sb");
    nl.addBridge("br-test", 0);
    nl.addVeth("veth-a", "eth0", 1500, sandbox, "02:42:0a:63:00:02");
    nl.setMaster("veth-a", "br-test");
    assertThat(nl.link("veth-a").orElseThrow().masterIndex()).isEqualTo(nl.link("br-test").orElseThrow().index());
    assertThat(nl.link("eth0")).isEmpty();
    try (Netlink inside = RouteNetlink.in(sandbox)) {
      Link eth0 = inside.link("eth0").orElseThrow();
      assertThat(eth0.kind()).isEqualTo("veth");
      assertThat(eth0.mac()).isEqualTo("02:42:0a:63:00:02");
    }
  }

  @Test
  void settersAddressedByName_changeThatLink_andRefuseAMissingOneWithEnodev() {
    nl.addVeth("by-a", "by-b", 0, null, null);
    nl.setUp("by-a", true);
    nl.setMtu("by-a", 1280);
    nl.setAlias("by-a", "cnm:named");
    nl.setMac("by-a", "02:42:0a:63:00:09");
    Link a = nl.link("by-a").orElseThrow();
    assertThat(a.up()).isTrue();
    assertThat(a.mtu()).isEqualTo(1280);
    assertThat(a.alias()).isEqualTo("cnm:named");
    assertThat(a.mac()).isEqualTo("02:42:0a:63:00:09");
    assertThat(nl.link("by-b").orElseThrow().up()).isFalse(); // only the named link changed
    for (Runnable r : List.<Runnable>of(() -> nl.setUp("no-such", true), () -> nl.setMtu("no-such", 1280),
        () -> nl.setAlias("no-such", "x"), () -> nl.setMac("no-such", "02:42:0a:63:00:0a"))) {
      assertThatThrownBy(r::run)
          .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(NetlinkException.ENODEV));
    }
    assertThat(nl.link("no-such")).isEmpty(); // never created by a setter
  }

  @Test
  void addressesAndRoutes_areAddedAndReadBack() {
    NetNamespace sandbox = namespaces.create("sb");
    nl.addVeth("veth-a", "eth0", 0, sandbox, null);
    try (Netlink inside = RouteNetlink.in(sandbox)) {
      inside.addAddress("eth0", Cidr.parse("10.99.0.2/24"));
      inside.addAddress("eth0", Cidr.parse("10.99.0.2/24"));
      inside.setUp("eth0", true);
      inside.addRoute(null, IpAddress.parse("10.99.0.1"), "eth0");
      assertThat(inside.addresses("eth0")).containsExactly(Cidr.parse("10.99.0.2/24"));
      assertThat(inside.routes()).anySatisfy(r -> {
        assertThat(r.destination()).isEqualTo(Cidr.parse("0.0.0.0/0"));
        assertThat(r.gateway()).isEqualTo(IpAddress.parse("10.99.0.1"));
      });
      assertThat(TestNamespaces.sh("ip", "-n", namespaces.fullName("sb"), "route")).contains("default via 10.99.0.1 dev eth0");
    }
  }

  @Test
  void twoSandboxesOnABridge_exchangeTcp() {
    NetNamespace a = namespaces.create("a");
    NetNamespace b = namespaces.create("b");
    nl.addBridge("br-test", 0);
    nl.setUp("br-test", true);
    int i = 2;
    for (NetNamespace sb : new NetNamespace[] {a, b}) {
      String host = "veth-" + i;
      nl.addVeth(host, "eth0", 0, sb, null);
      nl.setMaster(host, "br-test");
      nl.setUp(host, true);
      try (Netlink inside = RouteNetlink.in(sb)) {
        inside.addAddress("eth0", Cidr.parse("10.99.0." + i + "/24"));
        inside.setUp("eth0", true);
      }
      i++;
    }
    assertThat(Packets.echo(a, "10.99.0.2", 7000, b, 3000)).isEqualTo("echo hello");
  }

  @Test
  void vxlanAndMacvlan_areCreatedWithTheirKind() {
    nl.addVxlan("vx-test", 4097, 4789, null, 1450);
    nl.addVeth("parent0", "parent1", 0, null, null);
    nl.addMacvlan("mv-test", "parent0", "bridge", 0);
    assertThat(nl.link("vx-test").orElseThrow().kind()).isEqualTo("vxlan");
    assertThat(nl.link("vx-test").orElseThrow().mtu()).isEqualTo(1450);
    assertThat(nl.link("mv-test").orElseThrow().kind()).isEqualTo("macvlan");
    String vx = TestNamespaces.sh("ip", "-n", namespaces.fullName("node"), "-d", "link", "show", "vx-test");
    assertThat(vx).contains("vxlan id 4097").contains("dstport 4789").contains("nolearning");
  }

  @Test
  void staticNeighbourAndVxlanFdbEntries_areAddedAndReadBack() {
    nl.addVxlan("vx-test", 4097, 4789, null, 1450);
    nl.addNeighbour("vx-test", IpAddress.parse("10.99.1.5"), "02:42:0a:63:01:05");
    nl.addFdb("vx-test", "02:42:0a:63:01:05", IpAddress.parse("198.18.0.9"));
    assertThat(nl.neighbours("vx-test")).anySatisfy(n -> {
      assertThat(n.ip()).isEqualTo(IpAddress.parse("10.99.1.5"));
      assertThat(n.mac()).isEqualTo("02:42:0a:63:01:05");
      assertThat(n.permanent()).isTrue();
    });
    assertThat(nl.fdb("vx-test")).anySatisfy(n -> {
      assertThat(n.mac()).isEqualTo("02:42:0a:63:01:05");
      assertThat(n.ip()).isEqualTo(IpAddress.parse("198.18.0.9"));
    });
    assertThat(TestNamespaces.sh("bridge", "-n", namespaces.fullName("node"), "fdb", "show", "dev", "vx-test"))
        .contains("02:42:0a:63:01:05 dst 198.18.0.9 self permanent");
  }

  @Test
  void kernelRefusals_comeBackWithTheirErrno() {
    nl.addBridge("br-test", 0);
    assertThatThrownBy(() -> nl.addBridge("br-test", 0))
        .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(NetlinkException.EEXIST));
    assertThatThrownBy(() -> nl.deleteLink("no-such"))
        .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(NetlinkException.ENODEV));
    nl.deleteLink("br-test");
    assertThat(nl.link("br-test")).isEmpty();
  }

  @Test
  void renameAndMove_work() {
    NetNamespace other = namespaces.create("other");
    nl.addVeth("tmp-a", "tmp-b", 0, null, null);
    nl.rename("tmp-b", "eth7");
    nl.setMac("eth7", "02:42:0a:63:00:07");
    nl.moveTo("eth7", other);
    assertThat(nl.link("eth7")).isEmpty();
    try (Netlink inside = RouteNetlink.in(other)) {
      assertThat(inside.link("eth7").orElseThrow().mac()).isEqualTo("02:42:0a:63:00:07");
    }
  }
}
