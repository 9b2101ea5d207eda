package io.cnm.lab;

import static io.cnm.lab.LabRuns.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The overlay and its gossip on a 3-node lab with the real node-daemon processes: underlay
 * 198.19.0.0/24 (node1 .11, node2 .12, node3 .13, the underlay bridge lab0 in cnmlab-underlay).
 * Overlay ova holds c1 (node1) and c2 (node2); overlay ovb holds c3 (node1) and c4 (node3).
 * The daemons' full sync runs every 5 s here (30 s by default). Tests run in order on one lab;
 * the last ones take nodes away.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabOverlayTest {
  static final long SYNC_MS = 5_000;
  CnmLab lab;
  Path state;
  KubernetesClient client;

  @BeforeAll
  void up() throws Exception {
    LabRuns.assumeLabCanStart();
    LabRuns.assume(Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump")),
        "tcpdump is not installed (scripts/prereqs.sh test installs it); skipped");
    state = Files.createTempDirectory("cnm-lab-overlay");
    lab = new CnmLab(state, LabDemoTest.HOME).withDaemonEnv(Map.of("CNM_GOSSIP_PUSH_PULL_MS", String.valueOf(SYNC_MS),
        "QUARKUS_LOG_CATEGORY__IO_CNM_DAEMON_GOSSIP__LEVEL", "DEBUG", "QUARKUS_LOG_CATEGORY__IO_CNM_DAEMON_AGENT__LEVEL", "DEBUG"));
    lab.run("up", "--nodes", "3");
    for (String[] sb : new String[][] {{"c1", "node1"}, {"c2", "node2"}, {"c3", "node1"}, {"c4", "node3"}}) {
      lab.run("sandbox", "add", sb[0], "--node", sb[1]);
    }
    apply("""
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: ova}
        spec: {driver: overlay}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: ovb}
        spec: {driver: overlay}
        """ + endpoint("c1", "ova", "node1") + endpoint("c2", "ova", "node2") + endpoint("c3", "ovb", "node1")
        + endpoint("c4", "ovb", "node3"));
    client = lab.client();
    assertThat(lab.run("wait", "endpoints")).isZero();
  }

  @AfterAll
  void down() throws Exception {
    LabRuns.close(client, lab, state, "overlay");
  }

  void apply(String yaml) throws Exception {
    LabRuns.apply(lab, state, yaml);
  }

  CnmEndpoint ep(String name) {
    return LabRuns.endpointNamed(client, name);
  }

  String ip(String name) {
    return LabRuns.ipOf(client, name);
  }

  String mac(String name) {
    return ep(name).getStatus().getMacAddress();
  }

  CnmNetwork net(String name) {
    return client.resources(CnmNetwork.class).inNamespace("default").withName(name).get();
  }

  static String in(String sandbox, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", CnmLab.PREFIX + sandbox));
    c.addAll(List.of(cmd));
    return Sh.run(c, false);
  }

  static boolean pings(String from, String ip) {
    return in(from, "ping", "-c", "1", "-W", "1", ip).contains("1 received");
  }

  /**
   * Whether the sandbox resolves the name through its embedded DNS. A name it does not know is
   * forwarded upstream, which the lab's nodes cannot reach: that answer (SERVFAIL) takes seconds.
   */
  static boolean resolves(String from, String name, String ip) {
    return in(from, "timeout", "6", "getent", "ahostsv4", name).startsWith(ip + " ");
  }

  /**
   * The node's VXLAN forwarding entries (MAC behind a remote VTEP), one per line. The overlay
   * bridge's own learned entries (which only point at the vxlan port) are left out.
   */
  static String fdb(String node) {
    return Sh.run(List.of("bridge", "-n", CnmLab.PREFIX + node, "fdb", "show"), false).lines().filter(l -> l.contains(" dst "))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  static long await(BooleanSupplier done, long millis) throws InterruptedException {
    long start = System.currentTimeMillis();
    while (System.currentTimeMillis() - start < millis) {
      if (done.getAsBoolean()) {
        return System.currentTimeMillis() - start;
      }
      Thread.sleep(100);
    }
    return done.getAsBoolean() ? System.currentTimeMillis() - start : -1;
  }

  static void underlayFirewall(String rules) {
    Sh.run(List.of("bash", "-c", "printf '" + rules + "' | ip netns exec " + CnmLab.UNDERLAY + " nft -f -"), true);
  }

  @Test
  @Order(1)
  void acrossNodes_pingAndTcpFlow_andTheUnderlayCarriesOnlyVxlanOfTheNetworksVni() throws Exception {
    Path pcap = state.resolve("underlay.pcap");
    Path said = state.resolve("tcpdump.out");
    Process capture = new ProcessBuilder("ip", "netns", "exec", CnmLab.UNDERLAY, "tcpdump", "--immediate-mode", "-Z", "root", "-i", "n1", "-nn", "-U", "-w",
        pcap.toString(), "ip and host 198.19.0.11 and host 198.19.0.12 and not port 7947").redirectErrorStream(true)
        .redirectOutput(said.toFile()).start();
    assertThat(await(() -> {
      try {
        return Files.readString(said).contains("listening on");
      } catch (java.io.IOException e) {
        return false;
      }
    }, 10_000)).as("tcpdump started").isNotNegative();
    assertThat(await(() -> pings("c1", ip("c2")), 10_000)).as("c1 pings c2 across the overlay").isNotNegative();
    lab.run("exec", "-d", "c2", "--", CnmLab.java(), "-cp", CnmLab.classpath(), "io.cnm.lab.demo.Db", "8500");
    assertThat(await(() -> in("c1", "bash", "-c", "exec 3<>/dev/tcp/" + ip("c2") + "/8500; head -1 <&3").trim().matches("\\d+"),
        15_000)).as("TCP from c1 to c2").isNotNegative();
    Thread.sleep(1000);
    capture.destroy();
    capture.waitFor(5, TimeUnit.SECONDS);
    String seen = Sh.run(List.of("tcpdump", "-r", pcap.toString(), "-nn"), false);
    List<String> packets = seen.lines().filter(l -> l.matches("^\\d\\d:.*")).toList();
    int vni = net("ova").getStatus().getVni();
    assertThat(packets).as("packets between the two nodes' underlay addresses; tcpdump said: " + seen + Files.readString(said))
        .isNotEmpty();
    assertThat(packets).allSatisfy(l -> assertThat(l).containsPattern("198\\.19\\.0\\.1[12]\\.\\d+ > 198\\.19\\.0\\.1[12]\\.4789: VXLAN.*vni "
        + vni + "\\b"));
    assertThat(seen).contains(ip("c1") + " > " + ip("c2") + ": ICMP echo request").containsPattern(ip("c1") + "\\.\\d+ > " + ip("c2") + "\\.8500");
    String node3 = Sh.run("ip", "-n", CnmLab.PREFIX + "node3", "-d", "link", "show", "type", "vxlan");
    assertThat(node3).as("node3 has no endpoint on ova, so no vxlan device of it").doesNotContain("vx-" + net("ova").getStatus().getNetworkId())
        .contains("vx-" + net("ovb").getStatus().getNetworkId());
  }

  @Test
  @Order(2)
  void secondOverlay_isIsolatedFromTheFirst() throws Exception {
    assertThat(await(() -> pings("c3", ip("c4")), 10_000)).as("c3 and c4 on ovb").isNotNegative();
    assertThat(pings("c3", ip("c2"))).as("ovb to ova").isFalse();
    assertThat(pings("c1", ip("c4"))).as("ova to ovb").isFalse();
    assertThat(resolves("c1", "c4", ip("c4"))).as("ovb's names are not on ova").isFalse();
    assertThat(resolves("c1", "c2", ip("c2"))).as("c2's name, learned by gossip").isTrue();
    // The gwbridge: egress to the underlay (masqueraded) works, but c1 and c3 (both on node1) cannot meet on it.
    String c3gw = Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "c3", "-4", "-o", "addr", "show", "eth1"), false)
        .replaceAll("(?s).*inet ([0-9.]+)/.*", "$1").trim();
    assertThat(c3gw).startsWith("172.31.");
    assertThat(pings("c1", "198.19.0.1")).as("egress through the gwbridge").isTrue();
    assertThat(pings("c1", c3gw)).as("sandbox to sandbox on the gwbridge").isFalse();
  }

  @Test
  @Order(3)
  void mtu_1422ByteDontFragmentPingPasses_1423IsTooLong() {
    assertThat(in("c1", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1422", ip("c2"))).contains("1 received");
    assertThat(in("c1", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1423", ip("c2"))).containsIgnoringCase("message too long");
  }

  @Test
  @Order(4)
  void gossipIsTheSource_blockedBetweenTwoNodes_aNewEndpointIsNotLearned_untilTheFullSyncAfterUnblocking() throws Exception {
    underlayFirewall("table bridge cnmtest_block {\\n chain f {\\n type filter hook forward priority 0; policy accept;\\n"
        + " ip saddr { 198.19.0.11, 198.19.0.12 } ip daddr { 198.19.0.11, 198.19.0.12 } meta l4proto { tcp, udp } th dport 7947 drop\\n"
        + " ip saddr { 198.19.0.11, 198.19.0.12 } ip daddr { 198.19.0.11, 198.19.0.12 } meta l4proto { tcp, udp } th sport 7947 drop\\n }\\n}\\n");
    lab.run("sandbox", "add", "c5", "--node", "node2");
    apply(endpoint("c5", "ova", "node2"));
    assertThat(lab.run("wait", "endpoints")).isZero();
    String c2mac = mac("c2");
    long until = System.currentTimeMillis() + 2 * SYNC_MS;
    while (System.currentTimeMillis() < until) {
      assertThat(fdb("node1")).as("node2 stays alive for node1 (probed through node3)").contains(c2mac);
      Thread.sleep(250);
    }
    assertThat(fdb("node1")).as("node1 has not learned c5").doesNotContain(mac("c5"));
    assertThat(resolves("c1", "c5", ip("c5"))).isFalse();
    underlayFirewall("delete table bridge cnmtest_block\\n");
    String c5mac = mac("c5");
    long took = await(() -> fdb("node1").contains(c5mac), 3 * SYNC_MS);
    System.out.println("learned c5 " + took + " ms after unblocking (full sync every " + SYNC_MS + " ms)");
    assertThat(took).as("learned within the full-sync interval (plus a probe round)").isBetween(0L, SYNC_MS + 3_000);
    assertThat(resolves("c1", "c5", ip("c5"))).isTrue();
    assertThat(await(() -> pings("c1", ip("c5")), 5_000)).isNotNegative();
  }

  @Test
  @Order(5)
  void twentyPercentOfUnderlayPacketsDropped_tablesStillConverge_andNoLiveNodeIsDeclaredDead() throws Exception {
    underlayFirewall("table bridge cnmtest_loss {\\n chain f {\\n type filter hook forward priority 0; policy accept;\\n"
        + " numgen random mod 100 < 20 drop\\n }\\n}\\n");
    try {
      lab.run("sandbox", "add", "c6", "--node", "node3");
      apply(endpoint("c6", "ova", "node3"));
      String c2mac = mac("c2");
      long start = System.currentTimeMillis();
      boolean learned = false;
      while (System.currentTimeMillis() - start < 30_000) {
        String f1 = fdb("node1");
        assertThat(f1).as("c2 (node2) never dropped by node1 under loss").contains(c2mac);
        assertThat(fdb("node2")).as("c1 (node1) never dropped by node2 under loss").contains(mac("c1"));
        CnmEndpoint c6 = ep("c6");
        if (c6 != null && c6.getStatus() != null && c6.getStatus().getMacAddress() != null && f1.contains(c6.getStatus().getMacAddress())
            && fdb("node2").contains(c6.getStatus().getMacAddress())) {
          learned = true;
          if (System.currentTimeMillis() - start > 15_000) {
            break;
          }
        }
        Thread.sleep(250);
      }
      assertThat(learned).as("node1 and node2 learned c6 on node3 through 20% loss").isTrue();
    } finally {
      underlayFirewall("delete table bridge cnmtest_loss\\n");
    }
  }

  @Test
  @Order(6)
  void daemonsSigkilledAndRestarted_anOverlayConnectionAcrossNodesNeverBreaks() throws Exception {
    String cp = CnmLab.classpath();
    lab.run("exec", "-d", "c2", "--", CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Hold", "serve", "9000");
    Thread.sleep(1500);
    lab.run("exec", "-d", "c1", "--", CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Hold", "ping", "c2", "9000");
    Path log = LabDemoTest.awaitHoldLog(state, "exec-c1-");
    String fdb2 = fdb("node2");
    for (String node : List.of("node1", "node2")) {
      long before = LabDemoTest.lastOk(log);
      assertThat(lab.run("daemon", "restart", node, "--kill")).isZero();
      Thread.sleep(3000);
      assertThat(Files.readString(log)).as("connection after killing " + node + "'s daemon").doesNotContain("broken");
      assertThat(LabDemoTest.lastOk(log)).isGreaterThan(before + 10);
    }
    assertThat(fdb("node2")).contains(mac("c1"));
    assertThat(fdb2).contains(mac("c1"));
  }

  @Test
  @Order(7)
  void nodeLost_itsPeersAndNamesGoWithinTheSuspicionTimeout_andComeBackWithIt() throws Exception {
    assertThat(lab.run("node", "down", "node2")).isZero();
    String c2mac = mac("c2");
    long gone = await(() -> !fdb("node1").contains(c2mac), 30_000);
    System.out.println("node2's entries left node1 " + gone + " ms after the node was lost");
    // One probe round over the two others, memberlist's suspicion timeout for 3 members (4 · max(1, log10 3) · 1 s), the last call's 0.5 s.
    assertThat(gone).as(() -> "node1 fdb: " + fdb("node1")).isBetween(0L, 12_000L);
    assertThat(resolves("c1", "c2", ip("c2"))).as("c2's name went with its node").isFalse();
    assertThat(Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "node1", "neigh", "show", "nud", "permanent"), false)).doesNotContain(ip("c2") + " ");
    assertThat(lab.run("node", "up", "node2")).isZero();
    long back = await(() -> fdb("node1").contains(c2mac) && pings("c1", ip("c2")), 30_000);
    System.out.println("node2's entries back on node1 " + back + " ms after its daemon was ready");
    assertThat(back).isNotNegative();
    assertThat(resolves("c1", "c2", ip("c2"))).as("c2's name is back").isTrue();
  }

  @Test
  @Order(8)
  void withTheApiServerGone_theGossipStillCarriesANodeLoss() throws Exception {
    String c6mac = mac("c6");
    assertThat(await(() -> fdb("node1").contains(c6mac), 10_000)).isNotNegative();
    client.close();
    client = null;
    Path api = state.resolve("pids").resolve("api");
    ProcessHandle.of(Long.parseLong(Files.readString(api).trim())).ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().join();
    });
    assertThat(lab.run("node", "down", "node3")).isZero();
    long gone = await(() -> !fdb("node1").contains(c6mac), 30_000);
    System.out.println("with no API server, node3's entries left node1 " + gone + " ms after the node was lost");
    assertThat(gone).isBetween(0L, 12_000L);
  }
}
