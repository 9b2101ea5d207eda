package io.cnm.lab;

import static io.cnm.lab.LabRuns.await;
import static io.cnm.lab.LabRuns.endpoint;
import static io.cnm.lab.LabRuns.in;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.daemon.kernel.WhoAmI;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.plugin.testing.TestPlugin;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Unmodified-protocol Docker plugins driving CnmNetworks on a 2-node lab: a remote network
 * driver "lab-net" running in each node's namespace (its socket in that node's
 * /run/docker/plugins), and a remote IPAM driver "lab-ipam" next to the lab's operator. Network
 * rnet (driver lab-net, ipam.driver lab-ipam) holds r1 and r2 on node1 and r3 on node2.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabPluginsTest {
  CnmLab lab;
  Path state;
  KubernetesClient client;
  final Map<String, TestPlugin> net = new java.util.HashMap<>();
  TestPlugin ipam;
  final List<WhoAmI> servers = new ArrayList<>();

  @BeforeAll
  void up() throws Exception {
    LabRuns.assumeLabCanStart();
    TestPlugin.assumePython();
    state = Files.createTempDirectory("cnm-lab-plugins");
    lab = new CnmLab(state, LabDemoTest.HOME);
    lab.run("up", "--nodes", "2");
    for (String node : List.of("node1", "node2")) {
      net.put(node, TestPlugin.start("network", state.resolve("plugin-" + node), "unix:" + lab.pluginSockets(node).resolve("lab-net.sock"),
          CnmLab.PREFIX + node));
    }
    // The IPAM plugin is reached through a spec file, as a sidecar on another socket path would be.
    Path ipamSock = state.resolve("ipam-sidecar/lab-ipam.sock");
    ipam = TestPlugin.start("ipam", state.resolve("plugin-ipam"), "unix:" + ipamSock, null);
    Files.createDirectories(lab.pluginSpecs("operator"));
    Files.writeString(lab.pluginSpecs("operator").resolve("lab-ipam.spec"), "unix://" + ipamSock + "\n");
    for (String[] sb : new String[][] {{"r1", "node1"}, {"r2", "node1"}, {"r3", "node2"}, {"g1", "node1"}}) {
      lab.run("sandbox", "add", sb[0], "--node", sb[1]);
    }
    LabRuns.apply(lab, state, """
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: rnet}
        spec:
          driver: lab-net
          options: {lab.color: blue}
          ipam: {driver: lab-ipam}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: ghostnet}
        spec:
          driver: ghost-net
          ipam: {config: [{subnet: 10.77.0.0/24}]}
        """ + endpoint("r1", "rnet", "node1") + endpoint("r2", "rnet", "node1") + endpoint("r3", "rnet", "node2")
        + endpoint("g1", "ghostnet", "node1"));
    client = lab.client();
    await(() -> List.of("r1", "r2", "r3").stream().allMatch(n -> "True".equals(realized(n).getStatus())), 90,
        "the endpoints on the plugin's network are realized");
    for (String s : List.of("r2", "r3")) {
      try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + s)) {
        servers.add(new WhoAmI(ns, s, "0.0.0.0", 8080));
      }
    }
  }

  @AfterAll
  void down() throws Exception {
    servers.forEach(WhoAmI::close);
    net.values().forEach(TestPlugin::close);
    if (ipam != null) {
      ipam.close();
    }
    if (client != null) {
      client.close();
    }
    if (lab != null) {
      LabRuns.down(lab, state, "plugins");
    }
  }

  CnmEndpoint ep(String name) {
    return LabRuns.endpointNamed(client, name);
  }

  Condition realized(String name) {
    return LabRuns.realizedOf(client, name).orElse(new Condition());
  }

  String ip(String name) {
    return LabRuns.ipOf(client, name);
  }

  static long count(JsonNode objects) {
    return objects == null ? 0 : StreamSupport.stream(objects.spliterator(), false).count();
  }

  @Test
  @Order(1)
  void thePluginsMakeTheNetwork_theIpamPluginGivesTheAddresses_andPacketsFlow() throws Exception {
    CnmNetwork rnet = client.resources(CnmNetwork.class).inNamespace("default").withName("rnet").get();
    assertThat(rnet.getStatus().getSubnets()).containsExactly("10.210.0.0/24");
    assertThat(rnet.getStatus().getIpamPools()).hasSize(1);
    assertThat(ip("r1")).startsWith("10.210.0.");
    assertThat(ep("r1").getStatus().getInterfaceName()).isEqualTo("rmt0");
    assertThat(in("r1", () -> WhoAmI.ask(ip("r2"), 8080, 3000))).isEqualTo("r2 " + ip("r1"));
    // Each node's daemon called its own plugin, lazily: node2 only once r3 was there, with the network's options.
    JsonNode create = net.get("node2").calls().stream().filter(c -> c.call().equals("NetworkDriver.CreateNetwork")).findFirst()
        .orElseThrow().request();
    assertThat(create.at("/Options/com.docker.network.generic/lab.color").asText()).isEqualTo("blue");
    assertThat(create.at("/IPv4Data/0/Pool").asText()).isEqualTo("10.210.0.0/24");
    assertThat(net.get("node2").callNames()).contains("DiscoverNew");
    assertThat(ipam.callNames()).startsWith("Plugin.Activate", "GetDefaultAddressSpaces", "RequestPool", "RequestAddress");
  }

  @Test
  @Order(2)
  void aMissingPlugin_isDriverUnavailable_sayingWhereTheNodeLooked() throws Exception {
    await(() -> "False".equals(realized("g1").getStatus()), 30, "g1 is reported");
    assertThat(realized("g1").getReason()).isEqualTo("DriverUnavailable");
    assertThat(realized("g1").getMessage()).contains("ghost-net", lab.pluginSockets("node1").resolve("ghost-net.sock").toString());
  }

  @Test
  @Order(3)
  void aPluginKilledWhileAnEndpointIsDeleted_getsItsLeaveAndDeleteEndpoint_onceItIsBack() throws Exception {
    TestPlugin p = net.get("node1");
    long before = count(p.state().get("endpoints"));
    p.kill();
    client.resources(CnmEndpoint.class).inNamespace("default").withName("r2").delete();
    await(() -> ep("r2") == null, 30, "r2 is deleted");
    Thread.sleep(3000); // the daemon tries, cannot reach the plugin, and keeps the deletion owed
    assertThat(count(p.state().get("endpoints"))).isEqualTo(before);
    p.restart();
    await(() -> count(p.state().get("endpoints")) == before - 1, 60, "the restarted plugin got r2's DeleteEndpoint");
    List<String> after = p.callNames().subList(p.callNames().lastIndexOf("Plugin.Activate"), p.callNames().size());
    assertThat(after).containsSubsequence("Plugin.Activate", "Leave", "DeleteEndpoint");
    assertThat("True").isEqualTo(realized("r1").getStatus());
  }

  @Test
  @Order(4)
  void deletingEverything_leavesNothingOnAnyPlugin() throws Exception {
    for (String e : List.of("r1", "r2", "r3", "g1")) {
      client.resources(CnmEndpoint.class).inNamespace("default").withName(e).delete();
    }
    for (String n : List.of("rnet", "ghostnet")) {
      client.resources(CnmNetwork.class).inNamespace("default").withName(n).delete();
    }
    await(() -> client.resources(CnmNetwork.class).inNamespace("default").list().getItems().isEmpty(), 60, "the networks are deleted");
    await(() -> net.values().stream().allMatch(p -> count(p.state().get("endpoints")) == 0 && count(p.state().get("networks")) == 0),
        60, "every network plugin has deleted everything");
    assertThat(count(ipam.state().get("pools"))).isZero();
    assertThat(net.get("node1").callNames()).endsWith("DeleteNetwork");
  }
}
