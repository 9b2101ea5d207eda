package io.cnm.daemon.bench;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench-overlay}: throughput (iperf3, 1 stream, 5 s) and RTT (ping) between two
 * sandboxes on two nodes, through the overlay the driver builds (VNI 5001) and through the same
 * VXLAN path built by hand with iproute2 (VNI 5002: bridge, vxlan nolearning proxy, veth, static
 * FDB and neighbour entries), on the same two nodes and underlay, alternating, 4 rounds.
 * Namespaces cnmtest-*; underlay 198.18.50.0/24 (node A .1, node B .2).
 */
public final class OverlayBench {
  private OverlayBench() {}

  static String sh(String... cmd) {
    return TestNamespaces.sh(cmd);
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    try (TestNamespaces ns = new TestNamespaces()) {
      NetNamespace u = ns.create("u");
      NetNamespace a = ns.create("a");
      NetNamespace b = ns.create("b");
      String un = ns.fullName("u");
      sh("ip", "-n", un, "link", "add", "sw", "type", "bridge");
      sh("ip", "-n", un, "link", "set", "sw", "up");
      String[] addr = {"198.18.50.1", "198.18.50.2"};
      NetNamespace[] nodes = {a, b};
      for (int i = 0; i < 2; i++) {
        sh("ip", "-n", un, "link", "add", "p" + i, "type", "veth", "peer", "name", "eth0", "netns", nodes[i].path().substring(nodes[i].path().lastIndexOf('/') + 1));
        sh("ip", "-n", un, "link", "set", "p" + i, "master", "sw", "up");
        String nn = ns.fullName(i == 0 ? "a" : "b");
        sh("ip", "-n", nn, "addr", "add", addr[i] + "/24", "dev", "eth0");
        sh("ip", "-n", nn, "link", "set", "eth0", "up");
      }
      // cnm: the overlay driver on each node.
      NetNamespace s1 = ns.create("s1");
      NetNamespace s2 = ns.create("s2");
      NetworkInfo net = new NetworkInfo("bench/ov", "bench0ov0001", "overlay", List.of(Cidr.parse("10.98.0.0/24")),
          List.of(Cidr.parse("10.98.0.1/24")), true, 0, 5001, true, Map.of());
      List<Netlink> open = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Netlink nl = RouteNetlink.in(nodes[i]);
        open.add(nl);
        Sandboxes sb = new Sandboxes(nl, NetlinkFactory.kernel());
        OverlayDriver d = new OverlayDriver(sb, new Underlay(IpAddress.parse(addr[i]), 1500), new GwBridge(sb, Cidr.parse("172.31.240.0/20")));
        d.ensureNetwork(net);
        IpAddress me = IpAddress.parse("10.98.0." + (2 + i));
        IpAddress peer = IpAddress.parse("10.98.0." + (3 - i));
        d.join(net, new EndpointInfo("bench/e" + i, net.key(), (i == 0 ? s1 : s2).path(), null, Cidr.of(me, 24), null,
            MacAddresses.fromIpv4(me), List.of()));
        d.setPeers(net, Set.of(new Peer(peer, MacAddresses.fromIpv4(peer), IpAddress.parse(addr[1 - i]))));
      }
      // By hand: the same path with iproute2.
      NetNamespace h1 = ns.create("h1");
      NetNamespace h2 = ns.create("h2");
      String[] hs = {ns.fullName("h1"), ns.fullName("h2")};
      for (int i = 0; i < 2; i++) {
        String nn = ns.fullName(i == 0 ? "a" : "b");
        String me = "10.97.0." + (2 + i);
        String peer = "10.97.0." + (3 - i);
        String peerMac = MacAddresses.fromIpv4(IpAddress.parse(peer));
        sh("ip", "-n", nn, "link", "add", "brh", "mtu", "1450", "type", "bridge");
        sh("ip", "-n", nn, "link", "add", "vxh", "mtu", "1450", "type", "vxlan", "id", "5002", "local", addr[i], "dstport", "4789",
            "nolearning", "proxy");
        sh("ip", "-n", nn, "link", "set", "vxh", "master", "brh", "up");
        sh("ip", "-n", nn, "link", "set", "brh", "up");
        sh("ip", "-n", nn, "link", "add", "vh", "mtu", "1450", "type", "veth", "peer", "name", "eth0", "netns", hs[i]);
        sh("ip", "-n", nn, "link", "set", "vh", "master", "brh", "up");
        sh("ip", "-n", hs[i], "link", "set", "eth0", "address", MacAddresses.fromIpv4(IpAddress.parse(me)));
        sh("ip", "-n", hs[i], "addr", "add", me + "/24", "dev", "eth0");
        sh("ip", "-n", hs[i], "link", "set", "eth0", "up");
        sh("bridge", "-n", nn, "fdb", "append", peerMac, "dev", "vxh", "dst", addr[1 - i], "self", "permanent");
        sh("ip", "-n", nn, "neigh", "add", peer, "lladdr", peerMac, "dev", "vxh", "nud", "permanent");
      }
      double[][] gbps = new double[2][rounds];
      double[][] rtt = new double[2][rounds];
      for (int r = 0; r < rounds; r++) {
        gbps[0][r] = iperf(ns.fullName("s1"), ns.fullName("s2"), "10.98.0.3");
        gbps[1][r] = iperf(ns.fullName("h1"), ns.fullName("h2"), "10.97.0.3");
        // Alternate which path is pinged first, so neither always follows an iperf3 run.
        if (r % 2 == 0) {
          rtt[0][r] = ping(ns.fullName("s1"), "10.98.0.3");
          rtt[1][r] = ping(ns.fullName("h1"), "10.97.0.3");
        } else {
          rtt[1][r] = ping(ns.fullName("h1"), "10.97.0.3");
          rtt[0][r] = ping(ns.fullName("s1"), "10.98.0.3");
        }
        System.out.printf("round %d: cnm %.2f Gbit/s, rtt %.3f ms | by hand %.2f Gbit/s, rtt %.3f ms%n", r + 1, gbps[0][r], rtt[0][r],
            gbps[1][r], rtt[1][r]);
      }
      double cnm = median(gbps[0]);
      double hand = median(gbps[1]);
      System.out.printf("throughput median: cnm %.2f Gbit/s, by hand %.2f Gbit/s, ratio %.3f; rtt median cnm %.3f ms, by hand %.3f ms%n",
          cnm, hand, cnm / hand, median(rtt[0]), median(rtt[1]));
      open.forEach(Netlink::close);
    }
    System.exit(0);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }

  static double iperf(String client, String server, String ip) throws Exception {
    Process s = new ProcessBuilder("ip", "netns", "exec", server, "iperf3", "-s", "-1").redirectErrorStream(true).start();
    Thread.sleep(500);
    String out = sh("ip", "netns", "exec", client, "iperf3", "-c", ip, "-t", "5", "-J");
    s.waitFor();
    Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.e+]+)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no iperf3 result: " + out);
    }
    return Double.parseDouble(m.group(1)) / 1e9;
  }

  static double ping(String from, String ip) {
    String out = sh("ip", "netns", "exec", from, "ping", "-c", "1000", "-i", "0.002", "-q", ip);
    Matcher m = Pattern.compile("= [0-9.]+/([0-9.]+)/").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no ping result: " + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
