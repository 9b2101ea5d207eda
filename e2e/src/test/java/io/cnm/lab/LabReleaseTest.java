package io.cnm.lab;

import static io.cnm.lab.LabRuns.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Interfaces and addresses let go of on a 1-node lab with the real node-daemon: a sandbox that
 * vanishes loses its interface at once; a deleted endpoint's address goes to another only after its
 * interface is gone; the uninstall hook's program, run as the chart runs it, leaves no link,
 * table or gwbridge of ours on the node; and down ends even processes that daemonized in the lab.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabReleaseTest {
  static final String NODE_NS = CnmLab.PREFIX + "node1";
  CnmLab lab;
  Path state;
  KubernetesClient client;

  @BeforeAll
  void up() throws Exception {
    LabRuns.assumeLabCanStart();
    state = Files.createTempDirectory("cnm-lab-release");
    lab = new CnmLab(state, LabDemoTest.HOME);
    lab.run("up", "--nodes", "1");
    for (String sb : List.of("gone1", "gone2", "gone3", "old", "next", "ov", "pub", "adm")) {
      lab.run("sandbox", "add", sb, "--node", "node1");
    }
    LabRuns.apply(lab, state, """
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: brnet}
        spec:
          driver: bridge
          ipam: {config: [{subnet: 10.70.0.0/24}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: ovnet}
        spec: {driver: overlay}
        """ + endpoint("gone1", "brnet", "node1") + endpoint("gone2", "brnet", "node1") + endpoint("gone3", "brnet", "node1")
        + endpoint("old", "brnet", "node1").replace("spec:\n", "spec:\n  ipv4Address: 10.70.0.50\n")
        + endpoint("ov", "ovnet", "node1") + endpoint("pub", "brnet", "node1") + "  ports: [{containerPort: 80, hostPort: 18080}]\n");
    client = lab.client();
    assertThat(lab.run("wait", "endpoints")).isZero();
  }

  @AfterAll
  void down() throws Exception {
    LabRuns.close(client, lab, state, "release");
  }

  /** The node's veths on a bridge of ours (their peers are the sandboxes' interfaces). */
  static List<String> nodeLinks(String type) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : sh("ip", "-n", NODE_NS, "-o", "-d", "link", "show", "type", type).split("\n")) {
      if (line.contains("alias cnm:")) {
        out.add(line.split(":\\s+")[1].split("@")[0]);
      }
    }
    return out;
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private Condition ready(String name) {
    CnmEndpoint e = LabRuns.endpointNamed(client, name);
    return e == null || e.getStatus() == null ? null : Conditions.find(e.getStatus().getConditions(), Conditions.READY).orElse(null);
  }

  @Test
  @Order(0)
  void anEndpointIsStoredWithItsLabelsAndFinalizer_byTheOperatorsAdmissionWebhook() throws Exception {
    var registration = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("cnm-operator").get();
    assertThat(registration.getWebhooks().get(0).getClientConfig().getUrl()).startsWith("https://localhost:");
    // The create's answer is the object as stored, before the operator has seen it: what it carries came through admission.
    CnmEndpoint created = client.resource(LabAccess.<CnmEndpoint>load(client, LabRuns.endpoint("adm", "brnet", "node1").substring(4))).create();
    assertThat(created.getMetadata().getLabels()).containsEntry(CnmEndpoint.NODE_LABEL, "node1").containsEntry(CnmEndpoint.NETWORK_LABEL, "brnet");
    assertThat(created.getMetadata().getFinalizers()).containsExactly("cnmendpoints.cnm.io/finalizer");
    LabRuns.await(() -> LabRuns.realizedOf(client, "adm").map(c -> "True".equals(c.getStatus())).orElse(false), 20, "adm realized");
  }

  @Test
  @Order(1)
  void aSandboxThatVanishes_losesItsInterfaceWithinAboutASecond_notAtTheNextPeriodicPass() throws Exception {
    // Three times: without the sandbox watch each would wait for the periodic pass (every 10 s, at a random phase).
    for (String sb : List.of("gone1", "gone2", "gone3")) {
      assertThat(Path.of("/etc/netns", CnmLab.PREFIX + sb, "resolv.conf")).as("the embedded DNS's resolv.conf").exists();
      List<String> before = nodeLinks("veth");
      long t0 = System.nanoTime();
      sh("ip", "netns", "del", CnmLab.PREFIX + sb);
      LabRuns.await(() -> LabRuns.realizedOf(client, sb).map(c -> "SandboxNotFound".equals(c.getReason())).orElse(false), 15,
          "endpoint " + sb + " reported SandboxNotFound");
      LabRuns.await(() -> {
        try {
          return nodeLinks("veth").size() == before.size() - 1;
        } catch (Exception e) {
          return false;
        }
      }, 15, "the host side of " + sb + "'s veth removed");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("sandbox %s deleted to interface gone and reported: %d ms%n", sb, ms);
      assertThat(ms).isLessThan(2_500);
      // Nothing answers at 127.0.0.11 there any more: the file the daemon wrote is gone with its directory.
      LabRuns.await(() -> !Files.exists(Path.of("/etc/netns", CnmLab.PREFIX + sb)), 5, "/etc/netns/cnmlab-" + sb + " removed");
    }
  }

  @Test
  @Order(2)
  void aDeletedEndpointsAddress_goesToAnotherOnlyOnceItsInterfaceIsGone() throws Exception {
    String pid = Files.readString(state.resolve("pids").resolve("node-daemon-node1")).trim();
    sh("kill", "-STOP", pid); // the node is slow to act: its interface still holds 10.70.0.50
    try {
      client.resource(LabRuns.endpointNamed(client, "old")).delete();
      LabRuns.apply(lab, state, endpoint("next", "brnet", "node1").replace("spec:\n", "spec:\n  ipv4Address: 10.70.0.50\n"));
      LabRuns.await(() -> ready("next") != null, 20, "endpoint next looked at");
      Thread.sleep(3_000);
      assertThat(LabRuns.endpointNamed(client, "old")).as("old kept while its node has not removed the interface").isNotNull();
      assertThat(ready("next").getStatus()).isEqualTo("False");
      assertThat(sh("ip", "-n", CnmLab.PREFIX + "old", "-o", "addr")).contains("10.70.0.50");
    } finally {
      sh("kill", "-CONT", pid);
    }
    LabRuns.await(() -> LabRuns.endpointNamed(client, "old") == null, 20, "old released by its node");
    assertThat(sh("ip", "-n", CnmLab.PREFIX + "old", "-o", "addr")).doesNotContain("10.70.0.50");
    LabRuns.await(() -> LabRuns.realizedOf(client, "next").map(c -> "True".equals(c.getStatus())).orElse(false), 20, "next realized");
    assertThat(LabRuns.ipOf(client, "next")).isEqualTo("10.70.0.50");
    assertThat(sh("ip", "-n", CnmLab.PREFIX + "next", "-o", "addr")).contains("10.70.0.50");
  }

  @Test
  @Order(4)
  void down_endsEvenProcessesThatDaemonizedInsideTheLab() throws Exception {
    lab.run("exec", "next", "--", "sh", "-c", "setsid sleep 6061 >/dev/null 2>&1 < /dev/null &");
    LabRuns.await(() -> {
      try {
        return sh("pgrep", "-f", "sleep 6061").trim().matches("\\d+");
      } catch (Exception e) {
        return false;
      }
    }, 5, "the daemonized sleep running");
    CnmLab l = lab;
    lab = null;
    LabRuns.down(l, state, "release");
    assertThat(sh("pgrep", "-f", "sleep 6061").trim()).as("a process left running in a deleted lab namespace").isEmpty();
  }

  @Test
  @Order(3)
  void theUninstallHook_asTheChartRunsIt_leavesNoLinkTableOrGwbridgeOnTheNode() throws Exception {
    assertThat(nodeLinks("bridge")).as("bridges of ours before").isNotEmpty();
    assertThat(sh("ip", "-n", NODE_NS, "link", "show", "cnm_gwbridge")).doesNotContain("does not exist");
    assertThat(sh("ip", "netns", "exec", NODE_NS, "nft", "list", "tables")).contains("table inet cnm");
    // The hook's command: the operator's application directory as a classpath, and the plain main.
    Path app = LabDemoTest.HOME.resolve("operator/target/quarkus-app");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        app.resolve("lib/main") + "/*:" + app.resolve("app") + "/*", "io.cnm.operator.uninstall.Uninstall", "60").redirectErrorStream(true);
    pb.environment().put("KUBERNETES_MASTER", client.getMasterUrl().toString());
    pb.environment().put("KUBERNETES_NAMESPACE", "default");
    Process p = pb.start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    System.out.print(said);
    assertThat(p.exitValue()).as(said).isZero();
    assertThat(client.resources(CnmNetwork.class).inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.resources(CnmEndpoint.class).inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.resources(CnmService.class).inAnyNamespace().list().getItems()).isEmpty();
    LabRuns.await(() -> {
      try {
        return nodeLinks("bridge").isEmpty() && nodeLinks("veth").isEmpty() && nodeLinks("vxlan").isEmpty()
            && sh("ip", "-n", NODE_NS, "link", "show", "cnm_gwbridge").contains("does not exist")
            && !sh("ip", "netns", "exec", NODE_NS, "nft", "list", "tables").contains("table inet cnm");
      } catch (Exception e) {
        return false;
      }
    }, 20, "no bridge, veth, vxlan, gwbridge or table inet cnm of ours left on node1");
  }
}
