package io.cnm.lab;

import static io.cnm.lab.LabRuns.await;
import static io.cnm.lab.LabRuns.endpoint;
import static io.cnm.lab.LabRuns.in;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.fabric8.kubernetes.api.model.Condition;
import io.cnm.daemon.kernel.WhoAmI;
import io.cnm.daemon.netns.NetNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The macvlan driver on a 2-node lab: the nodes' underlay interface eth0 (on the lab's L2,
 * 198.19.0.0/24, the outside world cnmlab-underlay at .1) is the parent. mvnet (bridge mode,
 * cluster scope, ipRange 198.19.0.128/25) holds m1 and m3 on node1 and m2 on node2; mvpriv
 * (private mode, 198.19.1.0/24 on the same L2, where the outside also has 198.19.1.1) holds p1
 * and p2, both on node1; mvvlan asks for the parent eth0.10, which this kernel may not be able to
 * make.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabMacvlanTest {
  CnmLab lab;
  Path state;
  KubernetesClient client;
  final List<WhoAmI> servers = new ArrayList<>();

  @BeforeAll
  void up() throws Exception {
    LabRuns.assumeLabCanStart();
    state = Files.createTempDirectory("cnm-lab-macvlan");
    lab = new CnmLab(state, LabDemoTest.HOME);
    lab.run("up", "--nodes", "2");
    // A second subnet on the lab's L2, for the private-mode network.
    Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "underlay", "addr", "add", "198.19.1.1/24", "dev", "lab0"), true);
    Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "underlay", "addr", "add", "198.19.2.1/24", "dev", "lab0"), true);
    for (String[] sb : new String[][] {{"m1", "node1"}, {"m2", "node2"}, {"m3", "node1"}, {"p1", "node1"}, {"p2", "node1"}, {"v1", "node1"},
        {"q1", "node1"}, {"q2", "node1"}}) {
      lab.run("sandbox", "add", sb[0], "--node", sb[1]);
    }
    LabRuns.apply(lab, state, """
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: mvnet}
        spec:
          driver: macvlan
          scope: cluster
          macvlan: {parent: eth0}
          ipam: {config: [{subnet: 198.19.0.0/24, gateway: 198.19.0.1, ipRange: 198.19.0.128/25}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: mvpriv}
        spec:
          driver: macvlan
          macvlan: {parent: eth0, mode: private}
          ipam: {config: [{subnet: 198.19.1.0/24, gateway: 198.19.1.1}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: mvvepa}
        spec:
          driver: macvlan
          macvlan: {parent: eth0, mode: vepa}
          ipam: {config: [{subnet: 198.19.2.0/24, gateway: 198.19.2.1}]}
        ---
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: mvvlan}
        spec:
          driver: macvlan
          macvlan: {parent: eth0.10}
          ipam: {config: [{subnet: 192.0.2.0/24}]}
        """ + endpoint("m1", "mvnet", "node1") + endpoint("m2", "mvnet", "node2") + endpoint("m3", "mvnet", "node1")
        + endpoint("p1", "mvpriv", "node1") + endpoint("p2", "mvpriv", "node1") + endpoint("v1", "mvvlan", "node1")
        + endpoint("q1", "mvvepa", "node1") + endpoint("q2", "mvvepa", "node1"));
    client = lab.client();
    await(() -> List.of("m1", "m2", "m3", "p1", "p2", "q1", "q2").stream().allMatch(n -> realized(n) != null && realized(n).equals("True")), 90,
        "the macvlan endpoints are realized");
    for (String s : List.of("m1", "m2", "m3", "p2", "q2")) {
      try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + s)) {
        servers.add(new WhoAmI(ns, s, "0.0.0.0", 8080));
      }
    }
  }

  @AfterAll
  void down() throws Exception {
    servers.forEach(WhoAmI::close);
    if (client != null) {
      client.close();
    }
    if (lab != null) {
      LabRuns.down(lab, state, "macvlan");
    }
  }

  CnmEndpoint ep(String name) {
    return LabRuns.endpointNamed(client, name);
  }

  String realized(String name) {
    return LabRuns.realizedOf(client, name).map(Condition::getStatus).orElse(null);
  }

  String ip(String name) {
    return LabRuns.ipOf(client, name);
  }

  @Test
  void endpointsOnTwoNodes_reachEachOtherAcrossTheLan_withNoNat() throws Exception {
    assertThat(ip("m1")).startsWith("198.19.0.").isNotEqualTo(ip("m2"));
    assertThat(Integer.parseInt(ip("m1").substring(ip("m1").lastIndexOf('.') + 1))).as("from ipRange").isGreaterThanOrEqualTo(128);
    assertThat(in("m1", () -> WhoAmI.ask(ip("m2"), 8080, 3000))).isEqualTo("m2 " + ip("m1"));
    assertThat(in("m2", () -> WhoAmI.ask(ip("m3"), 8080, 3000))).isEqualTo("m3 " + ip("m2"));
    // The sandbox's interface is the macvlan child with the endpoint's MAC, and its gateway is the LAN's router.
    String link = Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "m1", "-d", "link", "show", "eth0"), false);
    assertThat(link).contains("macvlan mode bridge").contains(ep("m1").getStatus().getMacAddress());
    assertThat(Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "m1", "route", "show", "default"), false)).contains("via 198.19.0.1");
  }

  @Test
  void theOutsideReachesAnEndpointDirectly_butItsOwnNodeCannot() throws Exception {
    assertThat(in("underlay", () -> WhoAmI.ask(ip("m1"), 8080, 3000))).isEqualTo("m1 198.19.0.1");
    assertThat(in("node2", () -> WhoAmI.ask(ip("m1"), 8080, 3000))).isEqualTo("m1 198.19.0.12");
    // A kernel property: a parent does not pass frames to its own macvlan children.
    assertThatThrownBy(() -> in("node1", () -> WhoAmI.ask(ip("m1"), 8080, 1500))).hasRootCauseInstanceOf(IOException.class);
  }

  @Test
  void privateMode_keepsChildrenOfOneParentApart_whileTheLanStillReachesThem() throws Exception {
    assertThatThrownBy(() -> in("p1", () -> WhoAmI.ask(ip("p2"), 8080, 1500))).hasRootCauseInstanceOf(IOException.class);
    assertThat(in("underlay", () -> WhoAmI.ask(ip("p2"), 8080, 3000))).isEqualTo("p2 198.19.1.1");
  }

  @Test
  void vepaMode_sendsEvenLocalTrafficToTheSwitch_soChildrenMeetOnlyWhereTheSwitchHairpins() throws Exception {
    assertThatThrownBy(() -> in("q1", () -> WhoAmI.ask(ip("q2"), 8080, 1500))).hasRootCauseInstanceOf(IOException.class);
    // The lab's switch is the underlay bridge: node1's port n1 reflecting frames back lets the two children talk.
    Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "underlay", "link", "set", "n1", "type", "bridge_slave", "hairpin", "on"), true);
    try {
      await(() -> {
        try {
          return in("q1", () -> WhoAmI.ask(ip("q2"), 8080, 1500)).equals("q2 " + ip("q1"));
        } catch (RuntimeException e) {
          return false;
        }
      }, 15, "q1 reaches q2 through the hairpinning switch");
      // Private mode drops frames between children of one parent even when the switch sends them back.
      assertThatThrownBy(() -> in("p1", () -> WhoAmI.ask(ip("p2"), 8080, 1500))).hasRootCauseInstanceOf(IOException.class);
    } finally {
      Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "underlay", "link", "set", "n1", "type", "bridge_slave", "hairpin", "off"), true);
    }
  }

  @Test
  void aVlanParent_isMadeWhereTheKernelCan_andOtherwiseTheEndpointSaysWhy() throws Exception {
    await(() -> realized("v1") != null, 60, "v1 gets a Realized condition");
    String message = Conditions.find(ep("v1").getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage();
    if ("False".equals(realized("v1"))) {
      System.out.println("v1 not realized: " + message);
      assertThat(message).contains("eth0.10");
      assumeTrue(!message.contains("802.1q"), "this kernel has no 802.1q VLAN support: the VLAN parent test is skipped (" + message + ")");
    }
    assertThat(Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "node1", "-d", "link", "show", "eth0.10"), false)).contains("vlan");
  }

  @Test
  void aLeftEndpoint_takesItsChildAlong() throws Exception {
    String mac = ep("m3").getStatus().getMacAddress();
    client.resources(CnmEndpoint.class).inNamespace("default").withName("m3").delete();
    await(() -> !Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "m3", "link", "show"), false).contains(mac), 30, "m3's child is gone");
    assertThat(in("m1", () -> WhoAmI.ask(ip("m2"), 8080, 3000))).startsWith("m2 ");
  }

  @Test
  void aRestartedDaemon_adoptsTheChildren_andConnectionsGoOn() throws Exception {
    String before = Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "m1", "-o", "link", "show", "eth0"), false).split(":")[0];
    assertThat(lab.run("daemon", "restart", "node1", "--kill")).isZero();
    Thread.sleep(1500);
    assertThat(Sh.run(List.of("ip", "-n", CnmLab.PREFIX + "m1", "-o", "link", "show", "eth0"), false).split(":")[0]).isEqualTo(before);
    assertThat(realized("m1")).isEqualTo("True");
    assertThat(in("m2", () -> WhoAmI.ask(ip("m1"), 8080, 3000))).isEqualTo("m1 " + ip("m2"));
  }
}
