package io.cnm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmNetworkStatus;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.CnmServiceSpec;
import io.cnm.api.v1alpha1.CnmServiceStatus;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.api.v1alpha1.VirtualIP;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kubectl cnm against the Fabric8 mock API (CRUD): what it prints for the objects a cluster holds. */
@EnableKubernetesMockClient(crud = true)
class KubectlCnmTest {
  static KubernetesClient client;
  static KubernetesMockServer server;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  static Condition cond(String type, String status) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(status.equals("True") ? "Ok" : "Waiting")
        .withMessage("m").withLastTransitionTime("2026-11-29T00:00:00Z").build();
  }

  @BeforeEach
  void seed() {
    client.resources(CnmEndpoint.class).inAnyNamespace().delete();
    client.resources(CnmNetwork.class).inAnyNamespace().delete();
    client.resources(CnmService.class).inAnyNamespace().delete();
    CnmNetwork n = new CnmNetwork();
    n.getMetadata().setName("pets");
    n.getMetadata().setNamespace("test");
    CnmNetworkSpec spec = new CnmNetworkSpec();
    spec.setDriver("overlay");
    n.setSpec(spec);
    CnmNetworkStatus st = new CnmNetworkStatus();
    st.setNetworkId("eb8727507d15a1b2c3d4");
    st.setScope("cluster");
    st.setSubnets(List.of("10.0.0.0/24"));
    st.setGateways(List.of("10.0.0.1"));
    st.setVni(4096);
    st.setConditions(List.of(cond("Ready", "True")));
    n.setStatus(st);
    client.resource(n).create();
    client.resource(endpoint("web", "node1", "10.0.0.2/24", "02:42:0a:00:00:02", Map.of("app", "web"))).create();
    client.resource(endpoint("db", "node2", "10.0.0.3/24", "02:42:0a:00:00:03", Map.of("app", "db"))).create();
    CnmService s = new CnmService();
    s.getMetadata().setName("web");
    s.getMetadata().setNamespace("test");
    CnmServiceSpec ss = new CnmServiceSpec();
    ss.setNetworks(List.of("pets"));
    ss.setSelector(Map.of("app", "web"));
    s.setSpec(ss);
    CnmServiceStatus sst = new CnmServiceStatus();
    sst.setVirtualIPs(List.of(new VirtualIP("pets", "10.0.0.4/24")));
    PublishedPort p = new PublishedPort();
    p.setPublished(30080);
    p.setTarget(80);
    sst.setPublishedPorts(List.of(p));
    sst.setBackends(1);
    sst.setConditions(List.of(cond("Ready", "True")));
    s.setStatus(sst);
    client.resource(s).create();
  }

  static CnmEndpoint endpoint(String name, String node, String ip, String mac, Map<String, String> labels) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("test");
    e.getMetadata().setLabels(new java.util.HashMap<>(labels));
    e.getMetadata().getLabels().put(CnmEndpoint.POD_LABEL, CnmEndpoint.podLabelValue(name + "-pod"));
    CnmEndpointSpec s = new CnmEndpointSpec();
    s.setNetwork("pets");
    s.setSandbox(Sandbox.ofPod(name + "-pod"));
    e.setSpec(s);
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setNodeName(node);
    st.setIpv4Address(ip);
    st.setMacAddress(mac);
    st.setConditions(List.of(cond("Ready", "True"), cond("Realized", "True")));
    e.setStatus(st);
    return e;
  }

  int run(String... argv) {
    return KubectlCnm.run(client, Args.parse(List.of(argv)), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void networkLs_isDockersTable() {
    assertThat(run("network", "ls", "-n", "test")).isZero();
    assertThat(out()).containsPattern("(?m)^NETWORK ID\\s+NAME\\s+DRIVER\\s+SCOPE\\s+SUBNET\\s+READY$")
        .containsPattern("(?m)^eb8727507d15\\s+pets\\s+overlay\\s+cluster\\s+10\\.0\\.0\\.0/24\\s+True$");
    out.reset();
    assertThat(run("network", "ls", "-A")).isZero();
    assertThat(out()).containsPattern("(?m)^NAMESPACE\\s+NETWORK ID").containsPattern("(?m)^test\\s+eb8727507d15\\s+pets");
  }

  @Test
  void networkInspect_isDockersJson_withEachEndpointUnderContainers() throws Exception {
    assertThat(run("network", "inspect", "pets", "-n", "test")).isZero();
    JsonNode n = new ObjectMapper().readTree(out()).get(0);
    assertThat(n.get("Name").asText()).isEqualTo("pets");
    assertThat(n.get("Id").asText()).isEqualTo("eb8727507d15a1b2c3d4");
    assertThat(n.get("Driver").asText()).isEqualTo("overlay");
    assertThat(n.get("VNI").asInt()).isEqualTo(4096);
    assertThat(n.at("/IPAM/Config/0/Subnet").asText()).isEqualTo("10.0.0.0/24");
    assertThat(n.at("/IPAM/Config/0/Gateway").asText()).isEqualTo("10.0.0.1");
    assertThat(n.at("/Containers/web/IPv4Address").asText()).isEqualTo("10.0.0.2/24");
    assertThat(n.at("/Containers/web/MacAddress").asText()).isEqualTo("02:42:0a:00:00:02");
    assertThat(n.at("/Containers/web/Sandbox").asText()).isEqualTo("pod/web-pod");
    assertThat(n.at("/Containers/db/Node").asText()).isEqualTo("node2");
  }

  @Test
  void serviceLsAndInspect_showVipsPortsAndBackends() throws Exception {
    assertThat(run("service", "ls", "-n", "test")).isZero();
    assertThat(out()).containsPattern("(?m)^web\\s+vip\\s+pets=10\\.0\\.0\\.4/24\\s+\\*:30080->80/tcp\\s+1\\s+True$");
    out.reset();
    assertThat(run("service", "inspect", "web", "-n", "test")).isZero();
    JsonNode s = new ObjectMapper().readTree(out()).get(0);
    assertThat(s.at("/VirtualIPs/0/Addr").asText()).isEqualTo("10.0.0.4/24");
    assertThat(s.get("Backends")).hasSize(1);
    assertThat(s.at("/Backends/0/Name").asText()).isEqualTo("web");
  }

  @Test
  void missingObjectsAndWrongCommands_areOneLine_exit1And2() {
    assertThat(run("network", "inspect", "nope", "-n", "test")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).trim()).isEqualTo("kubectl cnm: no network nope in namespace test");
    err.reset();
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("kubectl cnm: unknown command frobnicate").contains("usage: kubectl cnm");
  }

  @Test
  void debug_listsThePodsEndpoints_andAsksEachNodesDaemonThroughTheApiServersProxy() {
    client.pods().inNamespace("cnm-system").resource(new PodBuilder().withNewMetadata().withName("cnm-node-daemon-x1")
        .withNamespace("cnm-system").addToLabels(Debug.DAEMON_SELECTOR, Debug.DAEMON_COMPONENT).endMetadata()
        .withNewSpec().withNodeName("node1").addNewContainer().withName("node-daemon").addNewPort().withName("http")
        .withContainerPort(9464).endPort().endContainer().endSpec().build()).create();
    server.expect().get().withPath("/api/v1/namespaces/cnm-system/pods/cnm-node-daemon-x1:9464/proxy/q/cnm/endpoints/test/web")
        .andReturn(200, "endpoint test/web on network pets (overlay)\n== interfaces (ip -d address)\neth0 10.0.0.2/24\n").always();
    assertThat(run("debug", "web-pod", "-n", "test")).isZero();
    assertThat(out()).containsPattern("(?m)^web\\s+pets\\s+pod/web-pod\\s+node1\\s+10\\.0\\.0\\.2/24")
        .contains("endpoint test/web on network pets (overlay)").contains("eth0 10.0.0.2/24");
    out.reset();
    // No daemon pod on db's node: said, and the exit code tells.
    assertThat(run("debug", "db-pod", "-n", "test")).isEqualTo(1);
    assertThat(out()).contains("the node-daemon of node2 could not be asked: no node-daemon pod on node node2");
  }

  @Test
  void debugShell_isKubectlDebugWithNetshootInThePodsNetworkNamespace() {
    assertThat(Debug.shellCommand("test", "web-pod", Args.DEFAULT_DEBUG_IMAGE)).containsExactly("kubectl", "debug", "-it", "--namespace",
        "test", "pod/web-pod", "--image=nicolaka/netshoot", "--profile=netadmin", "--", "sh");
  }

}
