package io.cnm.lab;

import static io.cnm.lab.LabRuns.await;
import static io.cnm.lab.LabRuns.in;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.daemon.dns.DnsClient;
import io.cnm.daemon.kernel.WhoAmI;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftListing;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Service discovery, VIP load balancing, the routing mesh and host-mode publishing on a 3-node
 * lab with the real node-daemons (underlay 198.19.0.0/24: node1 .11, node2 .12, node3 .13, the
 * outside world cnmlab-underlay .1). Overlay svcnet holds the backends b1 (node1), b2 (node2), b3
 * (node3), each a TCP server on 8080 answering "NAME CLIENT", and the clients c1 (node1) and c3
 * (node3). The ingress network (10.255.0.0/24) carries the mesh. Services: web (VIP port 80,
 * published 30080 ingress and 30081 host), sticky (ClientIP, VIP port 81), empty (no backend),
 * rr (dnsrr). Tests run in order on one lab; b3 is drained half-way.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabServicesTest {
  CnmLab lab;
  Path state;
  KubernetesClient client;
  final List<WhoAmI> backends = new ArrayList<>();

  @BeforeAll
  void up() throws Exception {
    LabRuns.assumeLabCanStart();
    state = Files.createTempDirectory("cnm-lab-services");
    lab = new CnmLab(state, LabDemoTest.HOME).withDaemonEnv(Map.of("CNM_GOSSIP_PUSH_PULL_MS", "5000"));
    lab.run("up", "--nodes", "3");
    for (String[] sb : new String[][] {{"b1", "node1"}, {"b2", "node2"}, {"b3", "node3"}, {"c1", "node1"}, {"c3", "node3"}}) {
      lab.run("sandbox", "add", sb[0], "--node", sb[1]);
    }
    apply("""
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: svcnet}
        spec: {driver: overlay}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: ingress}
        spec: {driver: overlay, ingress: true, ipam: {config: [{subnet: 10.255.0.0/24}]}}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmService
        metadata: {name: web}
        spec:
          networks: [svcnet]
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]
          publish: [{mode: ingress, published: 30080, target: 8080}, {mode: host, published: 30081, target: 8080}]
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmService
        metadata: {name: sticky}
        spec: {networks: [svcnet], selector: {app: web}, sessionAffinity: ClientIP, ports: [{port: 81, targetPort: 8080}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmService
        metadata: {name: empty}
        spec: {networks: [svcnet], selector: {app: nothing}, ports: [{port: 80}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmService
        metadata: {name: rr}
        spec: {networks: [svcnet], selector: {app: web}, endpointMode: dnsrr}
        """ + endpoint("b1", "node1", true) + endpoint("b2", "node2", true) + endpoint("b3", "node3", true)
        + endpoint("c1", "node1", false) + endpoint("c3", "node3", false));
    client = lab.client();
    assertThat(lab.run("wait", "endpoints")).isZero();
    for (String b : List.of("b1", "b2", "b3")) {
      try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + b)) {
        backends.add(new WhoAmI(ns, b, "0.0.0.0", 8080));
      }
    }
  }

  @AfterAll
  void down() throws Exception {
    backends.forEach(WhoAmI::close);
    if (client != null) {
      client.close();
    }
    if (lab != null) {
      LabRuns.down(lab, state, "services");
    }
  }

  static String endpoint(String name, String node, boolean backend) {
    return "---\napiVersion: cnm.io/v1alpha1\nkind: CnmEndpoint\nmetadata: {name: " + name + (backend ? ", labels: {app: web}" : "")
        + "}\nspec:\n  network: svcnet\n  sandbox: {nodeName: " + node + ", netnsPath: /run/netns/cnmlab-" + name + "}\n";
  }

  void apply(String yaml) throws Exception {
    LabRuns.apply(lab, state, yaml);
  }

  String ip(String endpoint) {
    return LabRuns.ipOf(client, endpoint);
  }

  String vip(String service) {
    var s = client.resources(io.cnm.api.v1alpha1.CnmService.class).inNamespace("default").withName(service).get();
    return s.getStatus().getVirtualIPs().get(0).getAddress().split("/")[0];
  }

  /** The A records the sandbox's embedded DNS answers for a name, in the order it sent them. */
  static List<String> a(String sandbox, String name) {
    try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + sandbox)) {
      return DnsClient.query(ns, "127.0.0.11", 53, name, 1, 3000).addresses();
    }
  }

  /** Connects {@code count} times from {@code sandbox}; answers counted by backend, and the client addresses the backends saw. */
  static Map<String, Integer> spread(String sandbox, String ip, int port, int count, Set<String> sources) {
    return in(sandbox, () -> {
      Map<String, Integer> by = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        String[] who = WhoAmI.ask(ip, port, 3000).split(" ");
        by.merge(who[0], 1, Integer::sum);
        sources.add(who[1]);
      }
      return by;
    });
  }


  /** True once {@code count} connections from the sandbox reach exactly these backends. */
  static boolean reaches(String sandbox, String ip, int port, Set<String> expected) {
    try {
      return spread(sandbox, ip, port, 40, new HashSet<>()).keySet().equals(expected);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Test
  @Order(1)
  void aThousandConnectionsToTheVip_spreadEvenlyOverBackendsOnThreeNodes_andEachSeesTheClient() throws Exception {
    String vip = vip("web");
    await(() -> reaches("c1", vip, 80, Set.of("b1", "b2", "b3")), 60, "c1 reaches all three backends of web through its VIP");
    Set<String> sources = new HashSet<>();
    Map<String, Integer> by = spread("c1", vip, 80, 1000, sources);
    System.out.println("1,000 connections from c1 to web's VIP " + vip + ": " + by);
    assertThat(by).containsOnlyKeys("b1", "b2", "b3");
    by.values().forEach(n -> assertThat(n).as("each backend within ±15% of 333").isBetween(283, 383));
    assertThat(sources).containsOnly(ip("c1"));
  }

  @Test
  @Order(2)
  void clientIpAffinity_keepsAClientOnOneBackend() throws Exception {
    String vip = vip("sticky");
    await(() -> in("c1", () -> {
      try {
        return WhoAmI.ask(vip, 81, 3000) != null;
      } catch (java.io.IOException e) {
        return false;
      }
    }), 60, "sticky answers");
    assertThat(spread("c1", vip, 81, 100, new HashSet<>())).hasSize(1);
    assertThat(spread("c3", vip, 81, 100, new HashSet<>())).hasSize(1);
  }

  @Test
  @Order(3)
  void aServiceWithoutBackends_rejectsAtOnce() {
    String vip = vip("empty");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> in("c1", () -> WhoAmI.ask(vip, 80, 3000))).hasRootCauseInstanceOf(ConnectException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
  }

  @Test
  @Order(4)
  void dnsrrAnswersRotate_andTasksListsTheBackends() throws Exception {
    Set<String> all = Set.of(ip("b1"), ip("b2"), ip("b3"));
    await(() -> Set.copyOf(a("c1", "tasks.web")).equals(all), 30, "tasks.web lists b1, b2 and b3");
    List<List<String>> answers = List.of(a("c1", "rr"), a("c1", "rr"), a("c1", "rr"));
    System.out.println("rr answered: " + answers);
    answers.forEach(a -> assertThat(Set.copyOf(a)).isEqualTo(all));
    assertThat(Set.of(answers.get(0).get(0), answers.get(1).get(0), answers.get(2).get(0))).hasSize(3);
    assertThat(a("c1", "web")).containsExactly(vip("web"));
  }

  @Test
  @Order(5)
  void theMeshPortAnswersOnEveryNode() throws Exception {
    for (String node : List.of("198.19.0.11", "198.19.0.12", "198.19.0.13")) {
      await(() -> !spread("underlay", node, 30080, 10, new HashSet<>()).isEmpty(), 60, "port 30080 answers on " + node);
    }
  }

  @Test
  @Order(6)
  void aDrainedBackend_getsNoNewConnection_andItsOpenOnesAreNotHijacked() throws Exception {
    String vip = vip("web");
    Socket open = in("c1", () -> WhoAmI.openTo("b3", vip, 80, 300, 3000));
    try (open) {
      client.resources(CnmEndpoint.class).inNamespace("default").withName("b3")
          .edit(e -> {
            e.getMetadata().getAnnotations().put(CnmEndpoint.WEIGHT_ANNOTATION, "0");
            return e;
          });
      // node1 has seen the removal once c1's table no longer holds b3.
      String b3 = ip("b3");
      await(() -> !Sh.run(List.of("ip", "netns", "exec", CnmLab.PREFIX + "c1", "nft", "list", "table", "inet", "cnm_lb"), false)
          .contains(b3 + " . 8080"), 30, "c1's balancer drops b3");
      assertThat(spread("c1", vip, 80, 300, new HashSet<>())).containsOnlyKeys("b1", "b2");
      assertThat(WhoAmI.askOn(open)).startsWith("b3 " + ip("c1"));
    }
  }

  @Test
  @Order(7)
  void theMeshPortOnANodeWithoutBackends_reachesBackendsOnOtherNodes() throws Exception {
    // node3 serves nothing now (b3 drained): its port 30080 still answers, from b1 and b2 through the ingress network.
    await(() -> reaches("underlay", "198.19.0.13", 30080, Set.of("b1", "b2")), 60, "node3:30080 reaches b1 and b2");
    Set<String> sources = new HashSet<>();
    Map<String, Integer> by = spread("underlay", "198.19.0.13", 30080, 200, sources);
    System.out.println("200 connections to node3:30080: " + by + ", backends saw " + sources);
    assertThat(by).containsOnlyKeys("b1", "b2");
    String node3Ingress = client.resources(CnmNetwork.class).inNamespace("default").withName("ingress").get().getStatus()
        .getIngressAddresses().get("node3").split("/")[0];
    assertThat(sources).containsOnly(node3Ingress);
  }

  @Test
  @Order(8)
  void hostModeOpensThePortOnlyWhereABackendRuns_toThatBackend() throws Exception {
    await(() -> reaches("underlay", "198.19.0.11", 30081, Set.of("b1")), 30, "node1:30081 reaches b1");
    assertThat(spread("underlay", "198.19.0.12", 30081, 20, new HashSet<>())).containsOnlyKeys("b2");
    assertThatThrownBy(() -> in("underlay", () -> WhoAmI.ask("198.19.0.13", 30081, 3000))).hasRootCauseInstanceOf(ConnectException.class);
  }

  @Test
  @Order(9)
  void aRestartedDaemonsFullWrite_leavesTheRulesetsTheChangesMade() throws Exception {
    String sandbox = NftListing.normalized(Sh.run(List.of("ip", "netns", "exec", CnmLab.PREFIX + "c1", "nft", "list", "table", "inet",
        "cnm_lb"), false));
    String node = NftListing.normalized(Sh.run(List.of("ip", "netns", "exec", CnmLab.PREFIX + "node1", "nft", "list", "table", "inet",
        "cnm"), false));
    assertThat(sandbox).contains(vip("web"));
    assertThat(node).contains("dport 30080");
    // The new daemon writes every table whole on its first pass, which completes before it reports ready.
    assertThat(lab.run("daemon", "restart", "node1", "--kill")).isZero();
    Thread.sleep(2000);
    assertThat(NftListing.normalized(Sh.run(List.of("ip", "netns", "exec", CnmLab.PREFIX + "c1", "nft", "list", "table", "inet",
        "cnm_lb"), false))).isEqualTo(sandbox);
    assertThat(NftListing.normalized(Sh.run(List.of("ip", "netns", "exec", CnmLab.PREFIX + "node1", "nft", "list", "table", "inet",
        "cnm"), false))).isEqualTo(node);
  }
}
