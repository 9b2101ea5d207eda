package io.cnm.daemon.driver.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.DriverException;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.NodeAddress;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.kernel.Packets;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.testing.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote network driver against a real Docker plugin process (the protocol-strict test plugin)
 * running in the test's node namespace, making real bridges and veths: libnetwork's call
 * sequence, the plugin's interface moved into sandboxes and given back, packets between
 * sandboxes, and nothing left on the plugin after kills and daemon restarts.
 */
@Tag("kernel")
class RemoteDriverKernelTest {
  static final String PLUGIN = "acme";
  @TempDir
  Path tmp;
  TestNamespaces ns;
  NetNamespace node;
  NetNamespace s1;
  NetNamespace s2;
  Netlink nl;
  final List<TestPlugin> plugins = new ArrayList<>();
  final NetworkInfo net = new NetworkInfo("t/rn", "rn00000000000000000000001", PLUGIN, List.of(Cidr.parse("10.97.0.0/24")),
      List.of(Cidr.parse("10.97.0.1/24")), false, 0, 0, false, Map.of("acme.vlan", "42"));

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    TestPlugin.assumePython();
    ns = new TestNamespaces();
    node = ns.create("node");
    s1 = ns.create("s1");
    s2 = ns.create("s2");
    nl = RouteNetlink.in(node);
  }

  @AfterEach
  void tearDown() {
    plugins.forEach(TestPlugin::close);
    if (nl != null) {
      nl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  TestPlugin plugin(String... extra) {
    TestPlugin p = TestPlugin.start("network", tmp.resolve("plugin"), "unix:" + tmp.resolve("run/" + PLUGIN + ".sock"),
        ns.fullName("node"), extra);
    plugins.add(p);
    return p;
  }

  /** The node's remote drivers as a (re)started daemon makes them, with short timeouts and back-off. */
  Driver driver(long timeoutMillis) {
    Sandboxes sb = new Sandboxes(nl, NetlinkFactory.kernel());
    RemoteDrivers remote = new RemoteDrivers(new Plugins(new PluginLocator(tmp.resolve("run"), List.of(tmp.resolve("etc"))),
        timeoutMillis, 200), sb, node, new GwBridge(sb, Cidr.parse("172.31.240.0/20")), tmp.resolve("state"));
    return remote.find(PLUGIN).orElseThrow();
  }

  EndpointInfo ep(String name, NetNamespace sandbox, String ip, EndpointInfo.Port... ports) {
    IpAddress a = IpAddress.parse(ip);
    return new EndpointInfo("t/" + name, net.key(), sandbox.path(), null, Cidr.of(a, 24), IpAddress.parse("10.97.0.1"),
        MacAddresses.fromIpv4(a), List.of(ports));
  }

  String in(String sandbox, String... cmd) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns.fullName(sandbox)));
    all.addAll(List.of(cmd));
    return TestNamespaces.sh(all.toArray(String[]::new));
  }

  @Test
  void aFullLifecycle_makesLibnetworksCalls_inLibnetworksOrder_andCarriesPackets() {
    TestPlugin p = plugin();
    Driver d = driver(5_000);
    EndpointInfo a = ep("a", s1, "10.97.0.2", new EndpointInfo.Port("tcp", null, 8080, 80));
    EndpointInfo b = ep("b", s2, "10.97.0.3");
    d.ensureNetwork(net);
    assertThat(d.join(net, a)).isEqualTo("rmt0");
    assertThat(d.join(net, b)).isEqualTo("rmt0");

    assertThat(in("s1", "ip", "-o", "addr", "show", "dev", "rmt0")).contains("10.97.0.2/24");
    assertThat(in("s1", "ip", "link", "show", "dev", "rmt0")).contains(MacAddresses.fromIpv4(IpAddress.parse("10.97.0.2")));
    assertThat(in("s1", "ip", "route")).contains("default via 10.97.0.1 dev rmt0", "203.0.113.0/24 via 10.97.0.1 dev rmt0");
    assertThat(Packets.echo(s2, "10.97.0.3", 7301, s1, 3000)).isEqualTo("echo hello");

    // A re-sync changes nothing and asks the plugin nothing.
    p.clearLog();
    d.ensureNetwork(net);
    assertThat(d.join(net, a)).isEqualTo("rmt0");
    assertThat(p.calls()).isEmpty();

    d.leave(net, a);
    d.leave(net, b);
    d.removeNetwork(net);
    assertThat(nl.link("rc" + RemoteDriver.endpointId("t/a", net.networkId()).substring(0, 10))).isEmpty(); // deleted by the plugin
    assertThat(p.state().get("endpoints")).isEmpty();
    assertThat(p.state().get("networks")).isEmpty();
    assertThat(nl.link("rb" + net.networkId().substring(0, 10))).isEmpty();
  }

  @Test
  void theCallSequenceAndItsMessages_areDockers() {
    TestPlugin p = plugin();
    Driver d = driver(5_000);
    EndpointInfo a = ep("a", s1, "10.97.0.2", new EndpointInfo.Port("udp", IpAddress.parse("127.0.0.1"), 5353, 53));
    d.ensureNetwork(net);
    d.join(net, a);
    d.leave(net, a);
    d.removeNetwork(net);
    assertThat(p.callNames()).containsExactly("Plugin.Activate", "GetCapabilities", "CreateNetwork", "CreateEndpoint", "Join",
        "ProgramExternalConnectivity", "EndpointOperInfo", "RevokeExternalConnectivity", "Leave", "DeleteEndpoint", "DeleteNetwork");
    Map<String, JsonNode> req = new java.util.HashMap<>();
    p.calls().forEach(c -> req.put(c.call(), c.request()));
    JsonNode create = req.get("NetworkDriver.CreateNetwork");
    assertThat(create.get("NetworkID").asText()).isEqualTo(net.networkId());
    assertThat(create.at("/Options/com.docker.network.generic/acme.vlan").asText()).isEqualTo("42");
    assertThat(create.at("/IPv4Data/0/Pool").asText()).isEqualTo("10.97.0.0/24");
    assertThat(create.at("/IPv4Data/0/Gateway").asText()).isEqualTo("10.97.0.1/24");
    String eid = RemoteDriver.endpointId("t/a", net.networkId());
    assertThat(eid).hasSize(64);
    JsonNode ce = req.get("NetworkDriver.CreateEndpoint");
    assertThat(ce.get("EndpointID").asText()).isEqualTo(eid);
    assertThat(ce.at("/Interface/Address").asText()).isEqualTo("10.97.0.2/24");
    assertThat(req.get("NetworkDriver.Join").get("SandboxKey").asText()).isEqualTo(s1.path());
    JsonNode prog = req.get("NetworkDriver.ProgramExternalConnectivity");
    assertThat(prog.at("/Options/com.docker.network.portmap/0/Proto").asInt()).isEqualTo(17);
    assertThat(prog.at("/Options/com.docker.network.portmap/0/HostPort").asInt()).isEqualTo(5353);
    assertThat(prog.at("/Options/com.docker.network.portmap/0/Port").asInt()).isEqualTo(53);
    assertThat(prog.at("/Options/com.docker.network.endpoint.exposedports/0/Port").asInt()).isEqualTo(53);
  }

  @Test
  void leave_givesTheInterfaceBackToTheNode_underItsSrcName_beforeDeleteEndpoint() {
    // The strict plugin refuses DeleteEndpoint when its interface is not back: the test is that it succeeds.
    TestPlugin p = plugin();
    Driver d = driver(5_000);
    EndpointInfo a = ep("a", s1, "10.97.0.2");
    d.ensureNetwork(net);
    d.join(net, a);
    String src = "rc" + RemoteDriver.endpointId("t/a", net.networkId()).substring(0, 10);
    assertThat(nl.link(src)).isEmpty();
    d.leave(net, a);
    assertThat(p.state().get("endpoints")).isEmpty();
    assertThat(in("s1", "ip", "-o", "link")).doesNotContain("rmt0");
  }

  @Test
  void thePluginsOwnError_reachesTheUserVerbatim() {
    plugin("--fail", "CreateNetwork=VLAN 42 is not allowed on this switch");
    assertThatThrownBy(() -> driver(5_000).ensureNetwork(net)).isInstanceOfSatisfying(DriverException.class, e -> {
      assertThat(e.reason()).isEqualTo("PluginError");
      assertThat(e.getMessage()).contains("plugin acme", "VLAN 42 is not allowed on this switch");
    });
  }

  @Test
  void aPluginThatNeverAnswers_timesOutIntoPluginUnavailable() {
    plugin("--hang");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> driver(400).ensureNetwork(net)).isInstanceOfSatisfying(DriverException.class, e -> {
      assertThat(e.reason()).isEqualTo("PluginUnavailable");
      assertThat(e.getMessage()).contains("plugin acme", "timed out after 400 ms");
    });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aMissingPlugin_isNotADriver_andSaysWhereItWasLookedFor() {
    Sandboxes sb = new Sandboxes(nl, NetlinkFactory.kernel());
    RemoteDrivers remote = new RemoteDrivers(new Plugins(new PluginLocator(tmp.resolve("run"), List.of(tmp.resolve("etc"))), 500, 200),
        sb, node, new GwBridge(sb, Cidr.parse("172.31.240.0/20")), tmp.resolve("state"));
    assertThat(remote.find("ghost")).isEmpty();
    assertThat(remote.whereLooked("ghost")).contains(tmp.resolve("run/ghost.sock").toString(), tmp.resolve("etc/ghost.{spec,json}").toString());
  }

  @Test
  void aPluginKilledMidLifecycle_andStartedAgain_getsEveryDeleteItIsOwed() {
    TestPlugin p = plugin();
    Driver d = driver(2_000);
    EndpointInfo a = ep("a", s1, "10.97.0.2");
    d.ensureNetwork(net);
    d.join(net, a);
    p.kill();
    d.leave(net, a); // the plugin is away: nothing thrown, the deletion stays owed
    d.removeNetwork(net);
    assertThat(d.sweep(Set.of(), Set.of())).isFalse();
    p.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> d.sweep(Set.of(), Set.of()));
    assertThat(p.state().get("endpoints")).isEmpty();
    assertThat(p.state().get("networks")).isEmpty();
    List<String> after = p.callNames().subList(p.callNames().lastIndexOf("Plugin.Activate"), p.callNames().size());
    // The endpoint gave its sandbox the gateway, so its external connectivity was programmed: revoked first.
    assertThat(after).containsExactly("Plugin.Activate", "RevokeExternalConnectivity", "Leave", "DeleteEndpoint", "DeleteNetwork");
  }

  @Test
  void aRestartedDaemon_adoptsWhatIsJoined_andDeletesWhatWasRemovedWhileItWasDown() {
    TestPlugin p = plugin();
    EndpointInfo a = ep("a", s1, "10.97.0.2");
    EndpointInfo b = ep("b", s2, "10.97.0.3");
    Driver before = driver(5_000);
    before.ensureNetwork(net);
    before.join(net, a);
    before.join(net, b);
    p.clearLog();

    Driver after = driver(5_000); // a new daemon: only the state directory is shared
    after.ensureNetwork(net);
    assertThat(after.join(net, a)).isEqualTo("rmt0");
    assertThat(p.callNames()).isEmpty();
    // b was deleted while the daemon was down: the first pass's sweep finishes it on the plugin.
    assertThat(after.sweep(Set.of(net.key()), Set.of(a.key()))).isTrue();
    assertThat(p.callNames()).containsExactly("Plugin.Activate", "RevokeExternalConnectivity", "Leave", "DeleteEndpoint");
    assertThat(p.state().get("endpoints").size()).isEqualTo(1);
    assertThat(Packets.echo(node, "10.97.0.1", 7302, s1, 3000)).isEqualTo("echo hello");
  }

  @Test
  void noGatewayFromThePlugin_andTheServiceNotDisabled_givesTheSandboxAGwbridgeLeg() {
    plugin("--no-gateway");
    Driver d = driver(5_000);
    EndpointInfo a = ep("a", s1, "10.97.0.2");
    d.ensureNetwork(net);
    d.join(net, a);
    assertThat(in("s1", "ip", "route")).contains("default via 172.31.240.1");
    assertThat(nl.link(GwBridge.NAME)).isPresent();
    assertThat(d.publishTarget(net, a)).isPresent();
    d.leave(net, a);
    assertThat(nl.link(GwBridge.hostVeth(a.key()))).isEmpty();
  }

  @Test
  void nodesComingAndGoing_areDiscoverNewAndDiscoverDelete() {
    TestPlugin p = plugin();
    Driver d = driver(5_000);
    NodeAddress self = new NodeAddress("n1", IpAddress.parse("198.18.70.1"), true);
    NodeAddress other = new NodeAddress("n2", IpAddress.parse("198.18.70.2"), false);
    d.setNodes(Set.of(self, other));
    d.setNodes(Set.of(self, other));
    d.setNodes(Set.of(self));
    assertThat(p.callNames()).containsExactlyInAnyOrder("Plugin.Activate", "DiscoverNew", "DiscoverNew", "DiscoverDelete");
    assertThat(p.calls().stream().filter(c -> c.call().endsWith("DiscoverDelete")).findFirst().orElseThrow().request()
        .at("/DiscoveryData/Address").asText()).isEqualTo("198.18.70.2");
  }
}
