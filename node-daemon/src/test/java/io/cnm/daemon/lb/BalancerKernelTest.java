package io.cnm.daemon.lb;

import static io.cnm.daemon.kernel.TestNamespaces.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.kernel.WhoAmI;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftContext;
import io.cnm.daemon.nft.NftListing;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The VIP load balancer on the real kernel: a client sandbox and three backends on one bridge
 * (10.20.0.0/24: client .10, b1 .2, b2 .3, b3 .4), the service's VIP 10.20.0.100 translated in
 * the client's own namespace through its table, written with libnftables. Real TCP and UDP.
 */
@Tag("kernel")
class BalancerKernelTest {
  static final IpAddress VIP = IpAddress.parse("10.20.0.100");
  static final Frontend WEB = new Frontend(VIP, "tcp", 80, false);
  static final Frontend DNS = new Frontend(VIP, "udp", 53, false);

  TestNamespaces ns;
  NetNamespace client;
  final List<WhoAmI> servers = new ArrayList<>();
  NftContext nft;

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    NetNamespace node = ns.create("lbnode");
    String n = ns.fullName("lbnode");
    sh("ip", "-n", n, "link", "add", "br0", "type", "bridge");
    sh("ip", "-n", n, "link", "set", "br0", "up");
    client = attach(node, "client", 10);
    for (int i = 1; i <= 3; i++) {
      NetNamespace b = attach(node, "b" + i, i + 1);
      servers.add(new WhoAmI(b, "b" + i, "10.20.0." + (i + 1), 8080));
    }
    nft = NftContext.open(client);
  }

  NetNamespace attach(NetNamespace node, String name, int host) {
    NetNamespace x = ns.create(name);
    String n = ns.fullName("lbnode");
    sh("ip", "-n", n, "link", "add", "v-" + name, "type", "veth", "peer", "name", "eth0", "netns", ns.fullName(name));
    sh("ip", "-n", n, "link", "set", "v-" + name, "master", "br0", "up");
    sh("ip", "-n", ns.fullName(name), "addr", "add", "10.20.0." + host + "/24", "dev", "eth0");
    sh("ip", "-n", ns.fullName(name), "link", "set", "eth0", "up");
    return x;
  }

  @AfterEach
  void tearDown() {
    servers.forEach(WhoAmI::close);
    if (nft != null) {
      nft.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  static Backend b(int i, int weight) {
    return new Backend(IpAddress.parse("10.20.0." + (i + 1)), 8080, weight);
  }

  static Balancer balancer(Frontend f, Backend... backends) {
    return Balancer.of(Map.of(f, List.of(backends), DNS, List.of(backends[0])));
  }

  /** Connects {@code count} times to the VIP from the client; counts answers by backend, and the client addresses seen. */
  Map<String, Integer> spread(int count, Map<String, Integer> sources) {
    return client.run(() -> {
      Map<String, Integer> by = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        String[] who = WhoAmI.ask("10.20.0.100", 80, 2000).split(" ");
        by.merge(who[0], 1, Integer::sum);
        sources.merge(who[1], 1, Integer::sum);
      }
      return by;
    });
  }

  @Test
  void connectionsToTheVipSpreadEvenlyAndBackendsSeeTheClient() {
    nft.apply(BalancerRuleset.full(balancer(WEB, b(1, 1), b(2, 1), b(3, 1))));
    Map<String, Integer> sources = new TreeMap<>();
    Map<String, Integer> by = spread(1000, sources);
    System.out.println("1000 connections to the VIP: " + by);
    assertThat(by).containsOnlyKeys("b1", "b2", "b3");
    by.values().forEach(c -> assertThat(c).isBetween(283, 383));
    assertThat(sources).containsOnlyKeys("10.20.0.10");
  }

  @Test
  void weightsTakeSlots() {
    nft.apply(BalancerRuleset.full(balancer(WEB, b(1, 2), b(2, 1), b(3, 1))));
    Map<String, Integer> by = spread(1000, new TreeMap<>());
    System.out.println("weights 2:1:1: " + by);
    assertThat(by.get("b1")).isBetween(425, 575);
    assertThat(by.get("b2")).isBetween(200, 300);
  }

  @Test
  void clientIpAffinityKeepsOneClientOnOneBackend() {
    Frontend sticky = new Frontend(VIP, "tcp", 80, true);
    nft.apply(BalancerRuleset.full(balancer(sticky, b(1, 1), b(2, 1), b(3, 1))));
    assertThat(spread(100, new TreeMap<>())).hasSize(1);
  }

  @Test
  void aRemovedBackendGetsNoNewConnectionAndItsOpenOnesAreNotHijacked() throws Exception {
    Balancer three = balancer(WEB, b(1, 1), b(2, 1), b(3, 1));
    nft.apply(BalancerRuleset.full(three));
    Socket open = client.run(() -> WhoAmI.openTo("b3", "10.20.0.100", 80, 200, 2000));
    try (open) {
      Balancer two = balancer(WEB, b(1, 1), b(2, 1));
      nft.apply(BalancerRuleset.delta(three, two));
      assertThat(spread(300, new TreeMap<>())).containsOnlyKeys("b1", "b2");
      assertThat(WhoAmI.askOn(open)).startsWith("b3 10.20.0.10");
    }
  }

  @Test
  void aServiceWithoutBackendsRejectsAtOnce() {
    nft.apply(BalancerRuleset.full(Balancer.of(Map.of(WEB, List.of(), DNS, List.of()))));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> client.run(() -> WhoAmI.ask("10.20.0.100", 80, 3000))).hasRootCauseInstanceOf(ConnectException.class);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    // UDP: the send fails at once (the reject's drop), or the reply is an ICMP port unreachable; never a wait for the timeout.
    t0 = System.nanoTime();
    assertThatThrownBy(() -> client.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.connect(new InetSocketAddress("10.20.0.100", 53));
        s.setSoTimeout(2000);
        byte[] q = "x".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(q, q.length));
        s.receive(new DatagramPacket(new byte[64], 64));
        return null;
      }
    })).satisfies(e -> assertThat(e.getCause()).isInstanceOfAny(PortUnreachableException.class, java.io.IOException.class)
        .isNotInstanceOf(java.net.SocketTimeoutException.class));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
  }

  @Test
  void udpIsBalancedToo() {
    nft.apply(BalancerRuleset.full(balancer(WEB, b(2, 1))));
    String answer = client.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(2000);
        byte[] q = "x".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(q, q.length, new InetSocketAddress("10.20.0.100", 53)));
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      }
    });
    assertThat(answer).isEqualTo("b2 10.20.0.10");
  }

  @Test
  void incrementalChangesAndAFullWriteLeaveTheSameRuleset() throws IOException {
    Balancer a = balancer(WEB, b(1, 1), b(2, 1), b(3, 1));
    Balancer b = Balancer.of(Map.of(WEB, List.of(b(1, 1), b(3, 2)), new Frontend(IpAddress.parse("10.20.0.101"), "tcp", 443, true),
        List.of(b(2, 1), b(3, 1)), new Frontend(IpAddress.parse("10.20.0.102"), "tcp", 80, false), List.of()));
    Balancer c = Balancer.of(Map.of(new Frontend(IpAddress.parse("10.20.0.101"), "tcp", 443, true), List.of(b(1, 1)),
        DNS, List.of(b(1, 1), b(2, 1), b(3, 1), b(3, 1))));
    nft.apply(BalancerRuleset.full(Balancer.EMPTY));
    Balancer applied = Balancer.EMPTY;
    for (Balancer next : List.of(a, b, c, a, Balancer.EMPTY, b)) {
      nft.apply(BalancerRuleset.delta(applied, next));
      applied = next;
      String incremental = NftListing.normalized(nft.listTable(BalancerRuleset.TABLE));
      assertThat(incremental).contains("chain vip_refuse");
      nft.apply(BalancerRuleset.full(next));
      assertThat(NftListing.normalized(nft.listTable(BalancerRuleset.TABLE))).isEqualTo(incremental);
    }
  }
}
