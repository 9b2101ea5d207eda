package io.cnm.daemon.bench;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.encryption.EspTunnel;
import io.cnm.daemon.encryption.UserspaceEsp;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench-encryption}: throughput (iperf3, 1 and 4 streams, 5 s) and round trip (ping)
 * between two nodes (test namespaces on a veth underlay, MTU 1500) three ways, alternating, in the
 * same run: VXLAN in the clear (VNI 43, UDP 4799), VXLAN through the agent's userspace ESP path
 * (VNI 42, UDP 4789 marked into the TUN device of {@link UserspaceEsp} as the agent builds it,
 * AES-256-GCM in {@link EspTunnel}, in this JVM), and Debian's
 * wireguard-go between the same two namespaces. Prints each and the ratios the issue sets:
 * ESP / wireguard-go (target at least 2) and ESP / clear (target at least 1/3).
 */
public final class EncryptionBench {
  private EncryptionBench() {}

  static String sh(String... cmd) {
    return TestNamespaces.sh(cmd);
  }

  static long dropped(List<UserspaceEsp> tunnels, String reason) {
    return tunnels.stream().mapToLong(t -> t.counters().dropped().getOrDefault(reason, 0L)).sum();
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (String tool : List.of("iperf3", "wireguard-go", "wg", "nft")) {
      if (!TestNamespaces.onPath(tool)) {
        System.err.println("bench-encryption needs " + tool + " (make bench-encryption installs it as root)");
        System.exit(1);
      }
    }
    List<UserspaceEsp> tunnels = new ArrayList<>();
    List<Process> background = new ArrayList<>();
    try (TestNamespaces ns = new TestNamespaces()) {
      NetNamespace a = ns.create("a");
      NetNamespace b = ns.create("b");
      String an = ns.fullName("a");
      String bn = ns.fullName("b");
      String[] names = {an, bn};
      NetNamespace[] nodes = {a, b};
      try {
      sh("ip", "-n", an, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", bn);
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      String[] wgKeys = {sh("wg", "genkey").trim(), sh("wg", "genkey").trim()};
      String[] wgPub = new String[2];
      for (int i = 0; i < 2; i++) {
        Path priv = Files.createTempFile("wg", ".key");
        Files.writeString(priv, wgKeys[i] + "\n");
        wgPub[i] = new String(new ProcessBuilder("wg", "pubkey").redirectInput(priv.toFile()).start().getInputStream().readAllBytes()).trim();
        Files.delete(priv);
      }
      for (int i = 0; i < 2; i++) {
        String n = names[i];
        String me = "10.99.0." + (i + 1);
        String peer = "10.99.0." + (2 - i);
        sh("ip", "-n", n, "addr", "add", me + "/24", "dev", "u0");
        sh("ip", "-n", n, "link", "set", "u0", "up");
        // In the clear: VNI 43 on UDP 4799.
        sh("ip", "-n", n, "link", "add", "vxc", "type", "vxlan", "id", "43", "local", me, "dstport", "4799", "nolearning");
        sh("ip", "-n", n, "link", "set", "vxc", "mtu", "1450", "up");
        sh("ip", "-n", n, "addr", "add", "10.43.0." + (i + 1) + "/24", "dev", "vxc");
        sh("bridge", "-n", n, "fdb", "append", "00:00:00:00:00:00", "dev", "vxc", "dst", peer);
        // Encrypted: VNI 42 on UDP 4789, marked into the tunnel's TUN device; its MTU leaves room for ESP in UDP.
        sh("ip", "-n", n, "link", "add", "vxe", "type", "vxlan", "id", "42", "local", me, "dstport", "4789", "nolearning");
        sh("ip", "-n", n, "link", "set", "vxe", "mtu", String.valueOf(1500 - 50 - UserspaceEsp.OVERHEAD), "up");
        sh("ip", "-n", n, "addr", "add", "10.42.0." + (i + 1) + "/24", "dev", "vxe");
        sh("bridge", "-n", n, "fdb", "append", "00:00:00:00:00:00", "dev", "vxe", "dst", peer);
        sh("ip", "netns", "exec", n, "nft", "add table ip espbench; add chain ip espbench out { type route hook output priority mangle; };"
            + " add rule ip espbench out udp dport 4789 meta mark set 0x4500");
        int host = i + 1;
        // The agent's own userspace path: TUN device, rule, table 145, the tunnel and its socket, as UserspaceEsp builds them.
        UserspaceEsp t = new UserspaceEsp(nodes[i], NetlinkFactory.kernel().in(nodes[i]), IpAddress.parse(me), 1500, 100 + host, 1L << 31, 0);
        t.apply(true, List.of(key), Map.of(IpAddress.parse(peer), 100 + (2 - i)));
        tunnels.add(t);
        // wireguard-go on its own TUN device; the names differ because its control socket (/var/run/wireguard/NAME.sock)
        // is a file, shared by every namespace.
        String wg = i == 0 ? "cnmwga" : "cnmwgb";
        ProcessBuilder wgGo = new ProcessBuilder("ip", "netns", "exec", n, "wireguard-go", wg).redirectErrorStream(true);
        wgGo.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        if (wgGo.start().waitFor() != 0) {
          throw new IllegalStateException("wireguard-go did not start in " + n);
        }
        Path priv = Files.createTempFile("wg", ".key");
        Files.writeString(priv, wgKeys[i] + "\n");
        sh("ip", "netns", "exec", n, "wg", "set", wg, "private-key", priv.toString(), "listen-port", "51820", "peer", wgPub[1 - i],
            "endpoint", peer + ":51820", "allowed-ips", "10.51.0." + (2 - i) + "/32");
        Files.delete(priv);
        sh("ip", "-n", n, "addr", "add", "10.51.0." + (i + 1) + "/24", "dev", wg);
        sh("ip", "-n", n, "link", "set", wg, "mtu", "1420", "up");
      }
      background.add(new ProcessBuilder("ip", "netns", "exec", bn, "iperf3", "-s").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      Thread.sleep(1000);
      String[] paths = {"clear VXLAN", "ESP (cnm)", "wireguard-go"};
      String[] targets = {"10.43.0.2", "10.42.0.2", "10.51.0.2"};
      double[][] one = new double[3][rounds];
      double[][] four = new double[3][rounds];
      double[][] rtt = new double[3][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int p = 0; p < 3; p++) {
          sh("ip", "netns", "exec", an, "ping", "-c", "3", "-W", "1", targets[p]); // warm: ARP and keys
          one[p][r] = iperf(an, targets[p], 1);
          four[p][r] = iperf(an, targets[p], 4);
          rtt[p][r] = ping(an, targets[p]);
        }
        System.out.printf(Locale.ROOT, "round %d: clear %.2f / %.2f Gbit/s, ESP %.2f / %.2f, wireguard-go %.2f / %.2f (1 / 4 streams)%n", r + 1,
            one[0][r], four[0][r], one[1][r], four[1][r], one[2][r], four[2][r]);
      }
      System.out.println();
      System.out.printf("%-14s %-18s %-18s %-14s%n", "path", "1 stream Gbit/s", "4 streams Gbit/s", "RTT ms (avg)");
      for (int p = 0; p < 3; p++) {
        System.out.printf(Locale.ROOT, "%-14s %-18s %-18s %-14s%n", paths[p], range(one[p]), range(four[p]), range(rtt[p]));
      }
      System.out.printf(Locale.ROOT, "ESP / wireguard-go, per round (1 stream): %s (target >= 2)%n", ratios(one[1], one[2]));
      System.out.printf(Locale.ROOT, "ESP / wireguard-go, per round (4 streams): %s%n", ratios(four[1], four[2]));
      System.out.printf(Locale.ROOT, "ESP / clear VXLAN, per round (1 stream): %s (target >= 0.33)%n", ratios(one[1], one[0]));
      System.out.printf(Locale.ROOT, "ESP drops on the way: %d (no key), %d (authentication), %d (replay)%n", dropped(tunnels, "no_key"),
          dropped(tunnels, "authentication"), dropped(tunnels, "replay"));
      } finally {
        for (UserspaceEsp t : tunnels) {
          t.close();
        }
        background.forEach(Process::destroy);
        for (String n : names) {
          // wireguard-go daemonized itself: end what runs in the bench's namespaces before they go.
          for (String pid : sh("ip", "netns", "pids", n).split("\\s+")) {
            if (pid.matches("\\d+")) {
              ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                h.destroy(); // SIGTERM: wireguard-go removes its control socket on the way out
                h.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> h).join();
                h.destroyForcibly();
              });
            }
          }
        }
        for (String wg : List.of("cnmwga", "cnmwgb")) {
          Files.deleteIfExists(Path.of("/var/run/wireguard", wg + ".sock"));
        }
      }
    }
  }

  static double iperf(String ns, String target, int streams) {
    String json = sh("ip", "netns", "exec", ns, "iperf3", "-c", target, "-t", "5", "-P", String.valueOf(streams), "-J");
    Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) / 1e9 : Double.NaN;
  }

  static double ping(String ns, String target) {
    String out = sh("ip", "netns", "exec", ns, "ping", "-c", "200", "-i", "0.005", "-q", target);
    Matcher m = Pattern.compile("= [0-9.]+/([0-9.]+)/").matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static String range(double[] v) {
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (double x : v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return String.format(Locale.ROOT, "%.3f-%.3f", lo, hi);
  }

  static String ratios(double[] a, double[] b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      out.add(String.format(Locale.ROOT, "%.2f", a[i] / b[i]));
    }
    return String.join(", ", out);
  }
}
