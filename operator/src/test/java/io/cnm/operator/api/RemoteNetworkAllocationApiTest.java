package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.network;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.operator.network.remote.RemoteNetworkAllocator;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.testing.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A global-scope remote network driver reachable from the operator gets AllocateNetwork when its
 * network is created and FreeNetwork when it is deleted, as from Docker's swarm manager; its
 * answer is recorded in status.driverState for the nodes. A local-scope one gets neither.
 */
class RemoteNetworkAllocationApiTest {
  @TempDir
  Path tmp;
  OperatorHarness h;
  TestPlugin plugin;

  @BeforeEach
  void setUp() {
    TestPlugin.assumePython();
    Plugins plugins = new Plugins(new PluginLocator(tmp.resolve("run"), List.of(tmp.resolve("etc"))), 5_000, 200);
    h = new OperatorHarness().withAllocator(new RemoteNetworkAllocator(plugins)).start();
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

  CnmNetwork create(String name, String driver) {
    CnmNetwork n = network(name, driver, "10.215.0.0/24");
    n.getSpec().setOptions(Map.of("gnet.tenant", "blue"));
    h.client.resource(n).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.network(name).getStatus() != null
        && Conditions.isTrue(h.network(name).getStatus().getConditions(), Conditions.READY));
    return h.network(name);
  }

  @Test
  void aGlobalScopeDriver_isAllocatedOnCreate_andFreedOnDelete() {
    plugin = TestPlugin.start("network", tmp.resolve("work"), "unix:" + tmp.resolve("run/gnet.sock"), null, "--scope", "global");
    CnmNetwork n = create("g", "gnet");
    assertThat(n.getStatus().getDriverState()).containsExactlyEntriesOf(Map.of("testplugin.vlan", "101"));
    assertThat(plugin.callNames()).containsExactly("Plugin.Activate", "GetCapabilities", "AllocateNetwork");
    JsonNode req = plugin.calls().get(2).request();
    assertThat(req.get("NetworkID").asText()).isEqualTo(n.getStatus().getNetworkId());
    assertThat(req.at("/Options/gnet.tenant").asText()).isEqualTo("blue");
    assertThat(req.at("/IPv4Data/0/Pool").asText()).isEqualTo("10.215.0.0/24");
    assertThat(req.at("/IPv4Data/0/Gateway").asText()).isEqualTo("10.215.0.1/24");

    h.client.resource(n).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.network("g") == null);
    assertThat(plugin.callNames()).endsWith("AllocateNetwork", "FreeNetwork");
  }

  @Test
  void aLocalScopeDriver_isNotAllocated() {
    plugin = TestPlugin.start("network", tmp.resolve("work"), "unix:" + tmp.resolve("run/lnet.sock"), null);
    CnmNetwork n = create("l", "lnet");
    assertThat(n.getStatus().getDriverState()).isNull();
    assertThat(plugin.callNames()).containsExactly("Plugin.Activate", "GetCapabilities");
    h.client.resource(n).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.network("l") == null);
    assertThat(plugin.callNames()).doesNotContain("FreeNetwork");
  }
}
