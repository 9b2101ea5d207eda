package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.Ipam;
import io.cnm.operator.ipam.remote.RemoteIpamDrivers;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.testing.TestPlugin;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CnmNetworks whose ipam.driver is a remote IPAM plugin, through the API and the operator's reconcilers. */
class RemoteIpamApiTest {
  @TempDir
  Path tmp;
  OperatorHarness h;
  TestPlugin plugin;

  @BeforeEach
  void setUp() {
    TestPlugin.assumePython();
    h = new OperatorHarness().withPlugins(new RemoteIpamDrivers(new Plugins(new PluginLocator(tmp.resolve("run"),
        List.of(tmp.resolve("etc"))), 5_000, 200))).start();
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    if (plugin != null) {
      plugin.close();
    }
  }

  void startPlugin(String... extra) {
    plugin = TestPlugin.start("ipam", tmp.resolve("work"), "unix:" + tmp.resolve("run/corp-ipam.sock"), null, extra);
  }

  static CnmNetwork remoteNetwork(String name) {
    CnmNetwork n = network(name, "bridge");
    Ipam i = new Ipam();
    i.setDriver("corp-ipam");
    n.getSpec().setIpam(i);
    return n;
  }

  static Condition ready(HasMetadata o) {
    var conds = o instanceof CnmNetwork ? (((CnmNetwork) o).getStatus() == null ? null : ((CnmNetwork) o).getStatus().getConditions())
        : (((CnmEndpoint) o).getStatus() == null ? null : ((CnmEndpoint) o).getStatus().getConditions());
    return Conditions.find(conds, Conditions.READY).orElse(null);
  }

  @Test
  void aNetworkAndItsEndpoint_getTheirAddressesFromThePlugin_andGiveThemBackOnDelete_alsoAfterAnOperatorRestart() {
    startPlugin();
    h.client.resource(remoteNetwork("corp")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("corp")) != null && "True".equals(ready(h.network("corp")).getStatus()));
    assertThat(h.network("corp").getStatus().getSubnets()).containsExactly("10.210.0.0/24");
    assertThat(h.network("corp").getStatus().getGateways()).containsExactly("10.210.0.1");
    assertThat(h.network("corp").getStatus().getIpamPools()).containsExactly("cnmtest-local/10.210.0.0/24");
    h.client.resource(netnsEndpoint("web", "corp", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("web")) != null && "True".equals(ready(h.endpoint("web")).getStatus()));
    assertThat(h.endpoint("web").getStatus().getIpv4Address()).isEqualTo("10.210.0.2/24");

    h.restart(); // a new operator: it restores the pools and addresses from status and asks the plugin nothing
    int calls = plugin.calls().size();
    h.client.resource(netnsEndpoint("api", "corp", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("api")) != null && "True".equals(ready(h.endpoint("api")).getStatus()));
    assertThat(h.endpoint("api").getStatus().getIpv4Address()).isEqualTo("10.210.0.3/24");
    // Only the new endpoint's address is asked for: no pool, no gateway again.
    assertThat(plugin.callNames().subList(calls, plugin.callNames().size()).stream()
        .filter(c -> c.startsWith("Request")).toList()).containsExactly("RequestAddress");

    h.client.resource(h.endpoint("web")).delete();
    h.client.resource(h.endpoint("api")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("web") == null && h.endpoint("api") == null);
    h.client.resource(h.network("corp")).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> h.network("corp") == null);
    assertThat(plugin.state().get("pools")).isEmpty();
    assertThat(plugin.callNames()).endsWith("ReleaseAddress", "ReleasePool");
  }

  @Test
  void anEndpointDeletedWhileThePluginIsDown_keepsItsFinalizer_untilThePluginTakesItsAddressBack() throws Exception {
    startPlugin();
    h.client.resource(remoteNetwork("corp")).create();
    h.client.resource(netnsEndpoint("web", "corp", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("web")) != null && "True".equals(ready(h.endpoint("web")).getStatus()));
    plugin.kill();
    h.client.resource(h.endpoint("web")).delete();
    // Longer than the Operator SDK's own retries of a failing cleanup (about 25 s): the finalizer must outlast them.
    Thread.sleep(30_000);
    assertThat(h.endpoint("web")).as("endpoint kept while its address cannot be given back").isNotNull();
    plugin.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> h.endpoint("web") == null);
    assertThat(plugin.state().at("/pools").elements().next().get("addresses")).hasSize(1); // the gateway only
  }

  @Test
  void thePluginsError_isReadyFalse_withItsOwnMessage() {
    startPlugin("--fail", "RequestPool=quota of 2 pools reached for tenant blue");
    h.client.resource(remoteNetwork("corp")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("corp")) != null);
    Condition c = ready(h.network("corp"));
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("PluginError");
    assertThat(c.getMessage()).contains("quota of 2 pools reached for tenant blue");
  }

  @Test
  void anAbsentPlugin_isReadyFalse_namingWhereItWasLookedFor_andTheNetworkComesUpWhenItArrives() {
    h.client.resource(remoteNetwork("corp")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("corp")) != null);
    assertThat(ready(h.network("corp")).getReason()).isEqualTo("IpamDriverUnavailable");
    assertThat(ready(h.network("corp")).getMessage()).contains(tmp.resolve("run/corp-ipam.sock").toString());
    startPlugin();
    await().atMost(Duration.ofSeconds(40)).until(() -> "True".equals(ready(h.network("corp")).getStatus()));
  }
}
