package io.cnm.operator.ipam.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.Ipam;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.Scope;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.ipam.EndpointAllocation;
import io.cnm.operator.ipam.NetworkAllocation;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.testing.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPAM with a remote IPAM driver: a real plugin process (the protocol-strict test plugin,
 * which refuses pools in spaces it did not announce, double releases and pools given back with
 * addresses in them), libnetwork's call sequence, and nothing left on the plugin after errors,
 * kills and operator restarts.
 */
class RemoteIpamTest {
  static final String DRIVER = "acme-ipam";
  @TempDir
  Path tmp;
  final List<TestPlugin> started = new ArrayList<>();

  @BeforeEach
  void setUp() {
    TestPlugin.assumePython();
  }

  @AfterEach
  void tearDown() {
    started.forEach(TestPlugin::close);
  }

  TestPlugin plugin(String... extra) {
    TestPlugin p = TestPlugin.start("ipam", tmp.resolve("work"), "unix:" + tmp.resolve("run/" + DRIVER + ".sock"), null, extra);
    started.add(p);
    return p;
  }

  io.cnm.operator.ipam.Ipam ipam(long timeoutMillis) {
    return io.cnm.operator.ipam.Ipam.withDockerDefaults().withPlugins(new RemoteIpamDrivers(new Plugins(
        new PluginLocator(tmp.resolve("run"), List.of(tmp.resolve("etc"))), timeoutMillis, 200)));
  }

  static CnmNetworkSpec spec(String driver, Scope scope, IpamConfig... configs) {
    CnmNetworkSpec s = new CnmNetworkSpec();
    s.setDriver(driver);
    s.setScope(scope);
    Ipam i = new Ipam();
    i.setDriver(DRIVER);
    i.setConfig(configs.length == 0 ? null : List.of(configs));
    s.setIpam(i);
    return s;
  }

  static boolean empty(TestPlugin p) {
    JsonNode pools = p.state().get("pools");
    return pools == null || pools.isEmpty();
  }

  @Test
  void aNetworkAndAnEndpoint_makeLibnetworksCalls_andGiveEverythingBack() {
    TestPlugin p = plugin();
    var ipam = ipam(5_000);
    NetworkAllocation n = ipam.allocateNetwork("t/n", spec("bridge", Scope.LOCAL));
    assertThat(n.subnets().get(0).cidr().toString()).isEqualTo("10.210.0.0/24");
    assertThat(n.subnets().get(0).gateway().toString()).isEqualTo("10.210.0.1");
    assertThat(n.poolIds()).containsExactly("cnmtest-local/10.210.0.0/24");
    EndpointAllocation a = ipam.allocateEndpoint("t/n", "t/ep", "node1", null, null);
    assertThat(a.ipv4().toString()).isEqualTo("10.210.0.2/24");
    assertThat(a.gateway().toString()).isEqualTo("10.210.0.1");
    assertThat(ipam.allocateEndpoint("t/n", "t/ep", "node1", null, null)).isEqualTo(a); // asked once only
    ipam.releaseEndpoint("t/n", "t/ep");
    ipam.releaseNetwork("t/n");
    assertThat(p.callNames()).containsExactly("Plugin.Activate", "GetDefaultAddressSpaces", "RequestPool", "RequestAddress",
        "GetCapabilities", "RequestAddress", "ReleaseAddress", "ReleaseAddress", "ReleasePool");
    List<TestPlugin.Call> calls = p.calls();
    assertThat(calls.get(2).request().get("AddressSpace").asText()).isEqualTo("cnmtest-local");
    assertThat(calls.get(3).request().at("/Options/RequestAddressType").asText()).isEqualTo("com.docker.network.gateway");
    assertThat(calls.get(5).request().get("Address").asText()).isEmpty();
    assertThat(empty(p)).isTrue();
  }

  @Test
  void aClusterNetwork_asksForItsPoolInTheGlobalSpace_withTheGivenSubnetGatewayRangeAndAuxAddresses() {
    TestPlugin p = plugin();
    var ipam = ipam(5_000);
    IpamConfig c = new IpamConfig("10.211.0.0/24");
    c.setGateway("10.211.0.254");
    c.setIpRange("10.211.0.128/25");
    c.setAuxAddresses(Map.of("router", "10.211.0.200", "outside", "10.211.0.10"));
    NetworkAllocation n = ipam.allocateNetwork("t/ov", spec("overlay", Scope.CLUSTER, c));
    assertThat(n.subnets().get(0).gateway().toString()).isEqualTo("10.211.0.254");
    JsonNode pool = p.calls().get(2).request();
    assertThat(pool.get("AddressSpace").asText()).isEqualTo("cnmtest-global");
    assertThat(pool.get("Pool").asText()).isEqualTo("10.211.0.0/24");
    assertThat(pool.get("SubPool").asText()).isEqualTo("10.211.0.128/25");
    // The gateway first, then the aux address inside the sub-pool (the one outside it is not the IPAM's).
    assertThat(p.calls().get(3).request().get("Address").asText()).isEqualTo("10.211.0.254");
    assertThat(p.calls().get(4).request().get("Address").asText()).isEqualTo("10.211.0.200");
    assertThat(p.calls()).hasSize(5);
    ipam.releaseNetwork("t/ov");
    assertThat(empty(p)).isTrue();
  }

  @Test
  void thePluginsOwnError_isTheConditionsMessage_verbatim() {
    plugin("--fail", "RequestPool=no /24 left in region eu-west");
    assertThatThrownBy(() -> ipam(5_000).allocateNetwork("t/n", spec("bridge", Scope.LOCAL)))
        .isInstanceOfSatisfying(CnmException.Conflict.class, e -> {
          assertThat(e.reason()).isEqualTo("PluginError");
          assertThat(e.getMessage()).contains("plugin acme-ipam", "no /24 left in region eu-west");
        });
  }

  @Test
  void aFailureHalfWay_givesBackWhatWasTaken() {
    TestPlugin p = plugin();
    IpamConfig c = new IpamConfig("10.212.0.0/24");
    c.setGateway("10.213.0.1"); // outside the pool: the plugin refuses the gateway after handing out the pool
    assertThatThrownBy(() -> ipam(5_000).allocateNetwork("t/n", spec("bridge", Scope.LOCAL, c)))
        .hasMessageContaining("10.213.0.1 is not in pool 10.212.0.0/24");
    assertThat(p.callNames()).endsWith("RequestPool", "RequestAddress", "ReleasePool");
    assertThat(empty(p)).isTrue();
  }

  @Test
  void aDriverThatRequiresAMac_getsOne_andTheEndpointKeepsIt() {
    TestPlugin p = plugin("--requires-mac");
    var ipam = ipam(5_000);
    ipam.allocateNetwork("t/n", spec("bridge", Scope.LOCAL));
    EndpointAllocation a = ipam.allocateEndpoint("t/n", "t/ep", "node1", null, null);
    assertThat(a.mac()).matches("02(:[0-9a-f]{2}){5}");
    assertThat(p.calls().get(p.calls().size() - 1).request().at("/Options/com.docker.network.endpoint.macaddress").asText())
        .isEqualTo(a.mac());
    EndpointAllocation b = ipam.allocateEndpoint("t/n", "t/own", "node1", null, null, "02:aa:bb:cc:dd:ee");
    assertThat(b.mac()).isEqualTo("02:aa:bb:cc:dd:ee");
  }

  @Test
  void aPluginKilledMidLifecycle_andStartedAgain_isOwedNothing() {
    TestPlugin p = plugin();
    var ipam = ipam(2_000);
    ipam.allocateNetwork("t/n", spec("bridge", Scope.LOCAL));
    ipam.allocateEndpoint("t/n", "t/ep", "node1", null, null);
    p.kill();
    assertThatThrownBy(() -> ipam.releaseEndpoint("t/n", "t/ep")).isInstanceOfSatisfying(CnmException.Transient.class,
        e -> assertThat(e.reason()).isEqualTo("PluginUnavailable"));
    p.restart();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> ipam.releaseEndpoint("t/n", "t/ep"));
    ipam.releaseNetwork("t/n");
    assertThat(empty(p)).isTrue();
  }

  @Test
  void aRestartedOperator_restoresFromStatus_withoutAskingAgain_andReleasesEverything() {
    TestPlugin p = plugin();
    CnmNetworkSpec s = spec("bridge", Scope.LOCAL);
    var before = ipam(5_000);
    NetworkAllocation n = before.allocateNetwork("t/n", s);
    EndpointAllocation a = before.allocateEndpoint("t/n", "t/ep", "node1", null, null);
    int calls = p.calls().size();

    var after = ipam(5_000);
    after.restoreNetwork("t/n", s, List.of("10.210.0.0/24"), List.of("10.210.0.1"), null, n.poolIds());
    after.restoreEndpoint("t/n", "t/ep", "node1", a.ipv4().toString(), null, "02:42:0a:d2:00:02");
    assertThat(p.calls()).hasSize(calls);
    assertThat(after.allocateEndpoint("t/n", "t/ep", "node1", null, null).ipv4()).isEqualTo(a.ipv4());
    after.releaseEndpoint("t/n", "t/ep");
    after.releaseNetwork("t/n");
    assertThat(empty(p)).isTrue();
  }

  @Test
  void aPluginThatNeverAnswers_timesOut_andOneThatIsAbsent_saysWhereItWasLookedFor() {
    TestPlugin p = plugin("--hang");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> ipam(300).allocateNetwork("t/n", spec("bridge", Scope.LOCAL)))
        .isInstanceOfSatisfying(CnmException.Transient.class, e -> assertThat(e.getMessage()).contains("timed out after 300 ms"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    p.kill();
    java.nio.file.Path sock = tmp.resolve("run/" + DRIVER + ".sock");
    sock.toFile().delete();
    assertThatThrownBy(() -> ipam(300).allocateNetwork("t/n", spec("bridge", Scope.LOCAL)))
        .isInstanceOfSatisfying(CnmException.Conflict.class, e -> {
          assertThat(e.reason()).isEqualTo("IpamDriverUnavailable");
          assertThat(e.getMessage()).contains(sock.toString(), tmp.resolve("etc/" + DRIVER + ".{spec,json}").toString());
        });
  }
}
