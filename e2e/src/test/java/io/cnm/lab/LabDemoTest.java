package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make demo} as a test: the lab is built (underlay 198.19.0.0/24, node1 at 198.19.0.11,
 * node2 at .12), both Docker Pets walkthroughs (a bridge on node1; an overlay across node1 and
 * node2) run on the real kernel with the real node-daemons, each page comes through its published
 * port from outside the nodes, and {@code down} leaves no cnmlab-* namespace.
 */
@Tag("kernel")
class LabDemoTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  static boolean labNamespacesExist() throws Exception {
    Path netns = Path.of("/run/netns");
    if (!Files.isDirectory(netns)) {
      return false;
    }
    try (Stream<Path> s = Files.list(netns)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith(CnmLab.PREFIX));
    }
  }

  @Test
  void demo_printsThePetsPageFetchedThroughThePublishedPort_andDownLeavesNothing() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root to create network namespaces; skipped");
    assumeTrue(Files.exists(HOME.resolve(CnmLab.DAEMON_JAR)), "node-daemon is not built; skipped");
    assumeTrue(!labNamespacesExist(), "a cnm-lab is already up on this machine (cnm-lab down first); skipped");
    Path state = Files.createTempDirectory("cnm-lab-test");
    CnmLab lab = new CnmLab(state, HOME);
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(lab.run("demo")).isZero();
      node1MetricsMovedWithTheDemo();
      kubectlCnm_showsTheNetworkAndWebsSandboxAsNode1sDaemonSeesIt(lab);
      daemonKilledAndRestarted_keepsAnOpenConnection_andDuplicatesNothing(lab, state);
    } finally {
      System.setOut(out);
      System.out.print(captured.toString(StandardCharsets.UTF_8));
      lab.run("down");
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text).containsPattern("db\\s+pets-bridge\\s+node1\\s+172\\.17\\.0\\.\\d+/16\\s+02:42:ac:11:00:\\w\\w\\s+True\\s+True");
    assertThat(text).contains("found db at 172.17.0.").contains("through the embedded DNS").contains("db counts visit number 1");
    // The multi-host walkthrough: db2 on node2 and web2 on node1 on one overlay, the page through node1's port 8001.
    assertThat(text).containsPattern("pets-overlay\\s+overlay\\s+cluster\\s+10\\.\\d+\\.\\d+\\.0/24\\s+True");
    assertThat(text).containsPattern("db2\\s+pets-overlay\\s+node2\\s+10\\.").containsPattern("web2\\s+pets-overlay\\s+node1\\s+10\\.");
    assertThat(text).contains("$ curl " + Demo.OVERLAY_URL).containsPattern("found db at 10\\.\\d+\\.\\d+\\.\\d+ through the embedded DNS");
    assertThat(text).containsPattern("db3\\s+pets-macvlan\\s+node2\\s+198\\.19\\.0\\.205/24");
    assertThat(text).contains("$ curl " + Demo.MACVLAN_URL).contains("reached db directly at 198.19.0.205 on the LAN");
    assertThat(labNamespacesExist()).as("namespaces left by down").isFalse();
  }

  /**
   * node1's daemon after the demo (before its restart resets them): its /q/metrics counts the
   * attaches, passes, node-table writes and embedded-DNS answers the demo caused, its endpoints,
   * and both gossip members alive.
   */
  static void node1MetricsMovedWithTheDemo() throws Exception {
    String s = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:19465/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    // web and web2 at least, and the gwbridge side of the overlay and published-port endpoints.
    assertThat(sample(s, "cnm_endpoint_attach_seconds_count{outcome=\"ok\"}")).isGreaterThanOrEqualTo(2);
    assertThat(sample(s, "cnm_endpoint_attach_seconds_bucket{outcome=\"ok\",le=\"+Inf\"}")).isGreaterThanOrEqualTo(2);
    assertThat(sample(s, "cnm_daemon_pass_seconds_count{kind=\"difference\"}")).isGreaterThanOrEqualTo(1);
    assertThat(sample(s, "cnm_nft_apply_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(sample(s, "cnm_endpoints{state=\"realized\"}")).isGreaterThanOrEqualTo(2);
    assertThat(sample(s, "cnm_endpoints{state=\"failed\"}")).isZero();
    // web looked db up by name through 127.0.0.11.
    assertThat(sample(s, "cnm_dns_queries_total{result=\"answered\"}")).isGreaterThanOrEqualTo(1);
    assertThat(sample(s, "cnm_dns_query_seconds_count{result=\"answered\"}")).isGreaterThanOrEqualTo(1);
    assertThat(sample(s, "cnm_gossip_members{state=\"alive\"}")).isEqualTo(2);
  }

  /**
   * The kubectl plugin as installed (cli/target/kubectl-cnm and its jar), against the lab's API:
   * {@code network inspect} as Docker prints it, and {@code debug} asking node1's daemon for web's
   * sandbox (its interface, its routes, the names its resolver answers).
   */
  static void kubectlCnm_showsTheNetworkAndWebsSandboxAsNode1sDaemonSeesIt(CnmLab lab) throws Exception {
    String inspect = kubectlCnm(lab, "network", "inspect", "pets-bridge");
    assertThat(inspect).contains("\"Driver\" : \"bridge\"").containsPattern("\"Subnet\" : \"172\\.17\\.0\\.0/16\"")
        .containsPattern("\"IPv4Address\" : \"172\\.17\\.0\\.\\d+/16\"").contains("\"Node\" : \"node1\"");
    String debug = kubectlCnm(lab, "debug", "--endpoint", "web", "--daemon", "http://127.0.0.1:19465");
    assertThat(debug).contains("endpoint default/web on network pets-bridge (bridge)")
        .contains("== interfaces (ip -d address)").containsPattern("inet 172\\.17\\.0\\.\\d+/16")
        .contains("== routes").contains("default via 172.17.0.1")
        .contains("nameserver 127.0.0.11").containsPattern("(?m)^db\\s+\\[172\\.17\\.0\\.\\d+\\]");
  }

  static String kubectlCnm(CnmLab lab, String... args) throws Exception {
    Path script = HOME.resolve("cli/target/kubectl-cnm");
    assertThat(script).as("the kubectl plugin is built before e2e").exists();
    java.util.List<String> cmd = new java.util.ArrayList<>(List.of("sh", script.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("KUBERNETES_MASTER", "http://127.0.0.1:" + Files.readString(lab.state().resolve("api-port")).trim());
    pb.environment().put("KUBERNETES_NAMESPACE", "default");
    pb.environment().put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    Process p = pb.start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("kubectl cnm %s: %s", String.join(" ", args), text).isZero();
    return text;
  }

  /** One sample's value from a Prometheus text page; NaN (which fails every comparison) when it is absent. */
  static double sample(String page, String series) {
    return LabAccess.sample(page, series);
  }

  /**
   * One TCP connection held open from web to db (resolved by name) across a SIGKILL of node1's
   * daemon and the start of a new one: it never breaks, the kernel objects are adopted (not built
   * twice), and the new daemon serves DNS again (a new page view finds db).
   */
  static void daemonKilledAndRestarted_keepsAnOpenConnection_andDuplicatesNothing(CnmLab lab, Path state) throws Exception {
    String java = CnmLab.java();
    String cp = CnmLab.classpath();
    lab.run("exec", "-d", "db", "--", java, "-cp", cp, "io.cnm.lab.demo.Hold", "serve", "9000");
    Thread.sleep(1500);
    lab.run("exec", "-d", "web", "--", java, "-cp", cp, "io.cnm.lab.demo.Hold", "ping", "db", "9000");
    Path log = awaitHoldLog(state, "exec-web-");
    long before = lastOk(log);
    String linksBefore = ownedVeths();
    assertThat(lab.run("daemon", "restart", "node1", "--kill")).isZero();
    Thread.sleep(1500);
    assertThat(Files.readString(log)).doesNotContain("broken");
    assertThat(lastOk(log)).isGreaterThan(before + 10);
    assertThat(ownedVeths()).isEqualTo(linksBefore);
    assertThat(Demo.fetch(cp)).contains("found db at 172.17.0.").contains("db counts visit number 2");
  }

  /** The log of a held connection started with {@code exec -d} (its file name starts with {@code prefix}), once it runs. */
  static Path awaitHoldLog(Path state, String prefix) throws Exception {
    for (int i = 0; i < 100; i++) {
      try (Stream<Path> s = Files.list(state)) {
        for (Path p : s.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
          if (lastOk(p) >= 5) {
            return p;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the held connection never started (logs in " + state + ")");
  }

  static long lastOk(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("ok ")).toList();
    return lines.isEmpty() ? 0 : Long.parseLong(lines.get(lines.size() - 1).substring(3).trim());
  }

  /** The node's veths, as the kernel lists them (names and indexes: a rebuilt one would differ). */
  static String ownedVeths() {
    return Sh.run("ip", "-n", CnmLab.PREFIX + "node1", "-o", "link", "show", "type", "veth").replaceAll("state \\S+", "");
  }

  @Test
  void badArguments_areAOneLineErrorWithExitCode2() {
    CnmLab lab = new CnmLab(Path.of("/nonexistent-cnm-lab-state"), HOME);
    assertThatThrownBy(() -> lab.run("frobnicate")).isInstanceOfSatisfying(LabException.class, e -> assertThat(e.exitCode).isEqualTo(2));
    assertThatThrownBy(() -> lab.run("up", "--nodes", "many")).isInstanceOfSatisfying(LabException.class,
        e -> assertThat(e.exitCode).isEqualTo(2));
    assertThatThrownBy(() -> lab.run("get", "pods")).isInstanceOfSatisfying(LabException.class, e -> {
      assertThat(e.exitCode).isEqualTo(1);
      assertThat(e.getMessage()).contains("not up");
    });
    assertThatThrownBy(() -> lab.run("exec", "web")).isInstanceOfSatisfying(LabException.class, e -> assertThat(e.exitCode).isEqualTo(2));
  }
}
