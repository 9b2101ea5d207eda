package io.cnm.daemon.bench;

import static io.cnm.daemon.kernel.TestNamespaces.sh;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.kernel.WhoAmI;
import io.cnm.daemon.lb.Backend;
import io.cnm.daemon.lb.Balancer;
import io.cnm.daemon.lb.BalancerRuleset;
import io.cnm.daemon.lb.Frontend;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.NftContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench-services}: programming service VIPs into a sandbox's nftables and what a
 * connection through them costs, the project's layout (flat data maps, differences through one
 * libnftables context kept open) against the same services written kube-proxy's way (a chain per
 * service with a numgen vmap, a chain per endpoint, a verdict map of service IPs) through the nft
 * tool, in the same run and namespace:
 * <ul>
 *   <li>full load of 1,000 and 10,000 services × 3 backends;</li>
 *   <li>+1 service, +1 backend, −1 backend into 10,000 (median of 20 each, after 100 uncounted
 *       rounds for the JIT; cnm's figure is the difference computed and applied, kube-proxy's the
 *       nft process fed the change);</li>
 *   <li>per-connection latency (connect, one request and answer, close) through a VIP with 10 and
 *       with 10,000 services loaded (two clients side by side, median of 2,000 each, interleaved in
 *       blocks of 100), and straight to a backend as the floor.</li>
 * </ul>
 */
public final class ServicesBench {
  static final int ROUNDS = 20;
  static final int WARMUP = 100;
  static final int CONNECTIONS = 2000;
  static final IpAddress PROBE_VIP = IpAddress.parse("10.20.0.100");

  private ServicesBench() {}

  /** Off with --no-baseline: only cnm's figures (quick runs while working on the layout). */
  static boolean baseline = true;

  public static void main(String[] args) throws Exception {
    baseline = !Arrays.asList(args).contains("--no-baseline");
    try (TestNamespaces ns = new TestNamespaces()) {
      NetNamespace client = setUp(ns);
      List<WhoAmI> servers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        servers.add(new WhoAmI(NetNamespace.open("/run/netns/" + ns.fullName("b" + i)), "b" + i, "10.20.0." + (i + 1), 8080));
      }
      try (NftContext nft = NftContext.open(client)) {
        NftCommand tool = new NftCommand("/run/netns/" + ns.fullName("client"));
        System.out.printf("%nServices: full load (one transaction)%n");
        System.out.printf("%-10s %14s %16s %8s%n", "services", "cnm (ms)", "kube-proxy (ms)", "ratio");
        fullLoad(nft, tool, 1000); // warm-up of both paths, then measured
        for (int n : new int[] {1000, 10_000}) {
          double[] r = fullLoad(nft, tool, n);
          System.out.printf("%-10d %14.1f %16.1f %7.1fx%n", n, r[0], r[1], r[1] / r[0]);
        }
        System.out.printf("%nServices: one change into 10,000 (median of %d)%n", ROUNDS);
        System.out.printf("%-14s %12s %18s %16s %8s%n", "change", "cnm (ms)", "of which nft (ms)", "kube-proxy (ms)", "ratio");
        changes(nft, tool, 10_000);
        System.out.printf("%nPer-connection latency through the VIP (median of %d, connect + request + answer + close)%n", CONNECTIONS);
        try (NetNamespace client2 = NetNamespace.open("/run/netns/" + ns.fullName("client2")); NftContext nft2 = NftContext.open(client2)) {
          connections(client, nft, client2, nft2);
        }
      } finally {
        servers.forEach(WhoAmI::close);
      }
    }
  }

  static NetNamespace setUp(TestNamespaces ns) {
    ns.create("node");
    String node = ns.fullName("node");
    sh("ip", "-n", node, "link", "add", "br0", "type", "bridge");
    sh("ip", "-n", node, "link", "set", "br0", "up");
    NetNamespace client = null;
    String[] names = {"client", "b1", "b2", "b3", "client2"};
    int[] hosts = {10, 2, 3, 4, 11};
    for (int i = 0; i < names.length; i++) {
      NetNamespace x = ns.create(names[i]);
      client = i == 0 ? x : client;
      sh("ip", "-n", node, "link", "add", "v-" + names[i], "type", "veth", "peer", "name", "eth0", "netns", ns.fullName(names[i]));
      sh("ip", "-n", node, "link", "set", "v-" + names[i], "master", "br0", "up");
      sh("ip", "-n", ns.fullName(names[i]), "addr", "add", "10.20.0." + hosts[i] + "/24", "dev", "eth0");
      sh("ip", "-n", ns.fullName(names[i]), "link", "set", "eth0", "up");
    }
    return client;
  }

  static IpAddress vip(int i) {
    return IpAddress.parse("10." + (100 + (i >> 8)) + "." + (i & 255) + ".1");
  }

  static List<Backend> backends(int i, int count) {
    List<Backend> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(new Backend(IpAddress.parse("10.30." + (i >> 8) % 256 + "." + (2 + k)), 8080, 1));
    }
    return out;
  }

  /** n services × 3 backends, plus the probe service over the three real backends. */
  static Map<Frontend, List<Backend>> services(int n) {
    Map<Frontend, List<Backend>> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(new Frontend(vip(i), "tcp", 80, false), backends(i, 3));
    }
    m.put(new Frontend(PROBE_VIP, "tcp", 80, false), List.of(new Backend(IpAddress.parse("10.20.0.2"), 8080, 1),
        new Backend(IpAddress.parse("10.20.0.3"), 8080, 1), new Backend(IpAddress.parse("10.20.0.4"), 8080, 1)));
    return m;
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  static double[] fullLoad(NftContext nft, NftCommand tool, int n) {
    Balancer b = Balancer.of(services(n));
    long t0 = System.nanoTime();
    nft.apply(BalancerRuleset.full(b));
    long cnm = System.nanoTime() - t0;
    nft.apply(KubeProxyStyle.delete());
    if (!baseline) {
      return new double[] {ms(cnm), Double.NaN};
    }
    t0 = System.nanoTime();
    tool.apply(KubeProxyStyle.full(services(n)));
    long kp = System.nanoTime() - t0;
    tool.apply(KubeProxyStyle.delete());
    return new double[] {ms(cnm), ms(kp)};
  }

  static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return ms(s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
  }

  /** Each change applied and timed, then undone untimed, ROUNDS times on different services. */
  static void changes(NftContext nft, NftCommand tool, int n) {
    Map<Frontend, List<Backend>> base = services(n);
    Balancer b = Balancer.of(base);
    String[] kinds = {"+1 service", "+1 backend", "-1 backend"};
    long[][] cnm = new long[3][ROUNDS];
    long[][] kernel = new long[3][ROUNDS];
    long[][] kp = new long[3][ROUNDS];
    nft.apply(BalancerRuleset.full(b));
    // The first WARMUP rounds of each kind are not counted: the daemon runs JIT-compiled code, as JMH would warm up.
    for (int kind = 0; kind < 3; kind++) {
      for (int r = -WARMUP; r < ROUNDS; r++) {
        int i = kind == 0 ? n + 1 + Math.floorMod(r, 1000) : 37 * Math.floorMod(r, 200) + kind;
        Frontend f = new Frontend(vip(i), "tcp", 80, false);
        // The desired state is made outside the timing (as kube-proxy's is), from the applied one: it shares the unchanged lists.
        Map<Frontend, List<Backend>> changed = new HashMap<>(b.services());
        changed.put(f, backends(i, kind == 0 ? 3 : kind == 1 ? 4 : 2));
        Balancer after = Balancer.of(changed);
        long t0 = System.nanoTime();
        String tx = BalancerRuleset.delta(b, after);
        long t1 = System.nanoTime();
        nft.apply(tx);
        long t2 = System.nanoTime();
        if (r >= 0) {
          cnm[kind][r] = t2 - t0;
          kernel[kind][r] = t2 - t1;
        }
        nft.apply(BalancerRuleset.delta(after, b));
      }
    }
    nft.apply(BalancerRuleset.full(Balancer.EMPTY));
    if (baseline) {
      tool.apply(KubeProxyStyle.full(base));
    }
    for (int kind = 0; kind < 3 && baseline; kind++) {
      for (int r = 0; r < ROUNDS; r++) {
        int i = kind == 0 ? n + 1 + r : 37 * r + kind;
        String[] change = KubeProxyStyle.change(i, base.get(new Frontend(vip(i), "tcp", 80, false)), kind == 0 ? backends(i, 3)
            : backends(i, kind == 1 ? 4 : 2));
        long t0 = System.nanoTime();
        tool.apply(change[0]);
        kp[kind][r] = System.nanoTime() - t0;
        tool.apply(change[1]);
      }
    }
    if (baseline) {
      tool.apply(KubeProxyStyle.delete());
    }
    for (int kind = 0; kind < 3; kind++) {
      double c = median(cnm[kind]);
      double k = median(kp[kind]);
      System.out.printf("%-14s %12.3f %18.3f %16.1f %7.0fx%n", kinds[kind], c, median(kernel[kind]), k, k / c);
    }
  }

  /**
   * Two clients side by side, one with 10 services in its table and one with 10,000, and the
   * floor (straight to a backend): measured in interleaved blocks of 100 so that drift of the
   * machine falls on all three alike.
   */
  static void connections(NetNamespace client, NftContext nft, NetNamespace client2, NftContext nft2) {
    nft.apply(BalancerRuleset.full(Balancer.of(services(10))));
    nft2.apply(BalancerRuleset.full(Balancer.of(services(10_000))));
    long[][] t = new long[3][CONNECTIONS];
    NetNamespace[] from = {client, client, client2};
    String[] ip = {"10.20.0.2", PROBE_VIP.toString(), PROBE_VIP.toString()};
    int[] port = {8080, 80, 80};
    for (int k = 0; k < 3; k++) {
      block(from[k], ip[k], port[k], new long[200], 0);
    }
    for (int b = 0; b < CONNECTIONS / 100; b++) {
      for (int k = 0; k < 3; k++) {
        block(from[k], ip[k], port[k], t[k], b * 100);
      }
    }
    nft.apply(BalancerRuleset.full(Balancer.EMPTY));
    nft2.apply(BalancerRuleset.full(Balancer.EMPTY));
    double floor = median(t[0]) * 1000;
    double at10 = median(t[1]) * 1000;
    double at10k = median(t[2]) * 1000;
    System.out.printf("%-34s %10.1f µs%n", "straight to a backend (floor)", floor);
    System.out.printf("%-34s %10.1f µs%n", "VIP, 10 services", at10);
    System.out.printf("%-34s %10.1f µs   (%.3f of 10 services)%n", "VIP, 10,000 services", at10k, at10k / at10);
  }

  /** Connections from {@code ns} to ip:port, each timed into {@code into} from {@code at} on, as many as fit (at most 100). */
  static void block(NetNamespace ns, String ip, int port, long[] into, int at) {
    ns.run(() -> {
      for (int i = at; i < Math.min(into.length, at + 100); i++) {
        long t0 = System.nanoTime();
        WhoAmI.ask(ip, port, 2000);
        into[i] = System.nanoTime() - t0;
      }
      return null;
    });
  }

}
