package io.cnm.daemon.bench;

import io.cnm.daemon.gossip.GossipConfig;
import io.cnm.daemon.gossip.Keyring;
import io.cnm.daemon.gossip.Member;
import io.cnm.daemon.gossip.Memberlist;
import io.cnm.daemon.gossip.NettyTransport;
import io.cnm.daemon.gossip.NetworkDb;
import io.cnm.daemon.gossip.RealScheduler;
import io.cnm.daemon.gossip.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * {@code make bench-gossip}: 10, 50 and 100 members in one JVM over real UDP and TCP on loopback
 * (127.0.0.1:21000+i), memberlist's default timers. For each size: the time for one table entry
 * to reach every member (p50/p99 over 20 entries), the time until every live member declares a
 * crashed one dead, false positives (members declared dead while alive) during 30 s of 10%
 * packet loss, and bytes sent per member per second while idle and while entries flow. Printed
 * beside memberlist's defaults and the targets (spread ≤ 1 s p99 at 100, detection ≤ 5 s, no
 * false positive).
 */
public final class GossipBench {
  private GossipBench() {}

  /** One member: its membership, tables, scheduler and transport. */
  record Node(Memberlist ml, NetworkDb db, RealScheduler sched, Transport transport) {
    void close() {
      ml.halt();
      transport.close();
      sched.close();
    }
  }

  /** Drops outgoing packets at random (pushes/pulls, which ride TCP, are not dropped). */
  static final class Lossy implements Transport {
    final Transport inner;
    final double loss;
    final Random random = new Random(42);

    Lossy(Transport inner, double loss) {
      this.inner = inner;
      this.loss = loss;
    }

    public InetSocketAddress localAddress() {
      return inner.localAddress();
    }

    public void send(InetSocketAddress to, byte[] packet) {
      if (random.nextDouble() >= loss) {
        inner.send(to, packet);
      }
    }

    public CompletableFuture<byte[]> exchange(InetSocketAddress to, byte[] request, long timeoutMillis) {
      return inner.exchange(to, request, timeoutMillis);
    }

    public void receive(BiConsumer<InetSocketAddress, byte[]> packets, Function<byte[], CompletableFuture<byte[]>> exchanges) {
      inner.receive(packets, exchanges);
    }

    public void close() {
      inner.close();
    }
  }

  static GossipConfig config = GossipConfig.defaults();

  static List<Node> cluster(int n, int basePort, double loss) throws Exception {
    byte[] key = new byte[32];
    new Random(7).nextBytes(key);
    List<Node> nodes = new ArrayList<>();
    InetSocketAddress seed = new InetSocketAddress("127.0.0.1", basePort);
    for (int i = 0; i < n; i++) {
      Transport t = new NettyTransport(new InetSocketAddress("127.0.0.1", basePort + i), null);
      if (loss > 0) {
        t = new Lossy(t, loss);
      }
      RealScheduler s = new RealScheduler("gossip-" + i);
      Memberlist ml = new Memberlist("m" + i, config, t, new Keyring(List.of(key)), s, new Random(i));
      NetworkDb db = new NetworkDb("m" + i, System.currentTimeMillis());
      ml.start(db, List.of(seed));
      db.attach(ml);
      nodes.add(new Node(ml, db, s, t));
    }
    for (int i = 1; i < n; i++) {
      nodes.get(i).ml().join(List.of(seed));
    }
    long t0 = System.currentTimeMillis();
    await(() -> nodes.stream().allMatch(x -> alive(x) == n), 120_000);
    System.out.printf("  %d members joined through one seed in %d ms%n", n, System.currentTimeMillis() - t0);
    return nodes;
  }

  static long alive(Node x) {
    return x.ml().members().values().stream().filter(m -> m.state() == Member.State.ALIVE).count();
  }

  static void await(BooleanSupplier done, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException("not reached in " + millis + " ms");
      }
      Thread.sleep(2);
    }
  }

  static long bytes(List<Node> nodes) {
    return nodes.stream().mapToLong(x -> x.ml().stats().bytesSent.get()).sum();
  }

  static long pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
  }

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {10, 50, 100};
    boolean fast = args.length > 1 && args[1].equals("fast");
    config = fast ? GossipConfig.fast() : GossipConfig.defaults();
    GossipConfig d = config;
    System.out.printf("Profile %s%s: gossip every %d ms to %d members, probe every %d ms "
        + "(timeout %d ms, %d indirect), suspicion %d·log10(N) probe intervals (up to %d× with Lifeguard), "
        + "push/pull every %d s%n%n", fast ? "fast" : "default", fast ? "" : " (memberlist's LAN defaults)", d.gossipIntervalMillis(), d.gossipNodes(), d.probeIntervalMillis(), d.probeTimeoutMillis(),
        d.indirectChecks(), d.suspicionMult(), d.suspicionMaxTimeoutMult(), d.pushPullIntervalMillis() / 1000);
    List<String> rows = new ArrayList<>();
    int port = 21000;
    for (int n : sizes) {
      System.out.printf("N = %d%n", n);
      List<Node> nodes = cluster(n, port, 0);
      port += n + 10;
      nodes.forEach(x -> x.db().joinNetwork("bench"));
      Thread.sleep(3000);
      long idle0 = bytes(nodes);
      Thread.sleep(5000);
      double idleBps = (bytes(nodes) - idle0) / 5.0 / n;
      Random r = new Random(1);
      long[] spread = new long[20];
      long busy0 = bytes(nodes);
      long busyT0 = System.currentTimeMillis();
      for (int k = 0; k < spread.length; k++) {
        String key = "ep" + k;
        long t0 = System.nanoTime();
        nodes.get(r.nextInt(n)).db().put("bench", "endpoint", key, ("10.0.0." + k).getBytes(StandardCharsets.UTF_8));
        await(() -> nodes.stream().allMatch(x -> x.db().table("endpoint").getOrDefault("bench", Map.of()).containsKey(key)), 30_000);
        spread[k] = (System.nanoTime() - t0) / 1_000_000;
      }
      double busyBps = (bytes(nodes) - busy0) / ((System.currentTimeMillis() - busyT0) / 1000.0) / n;
      Arrays.sort(spread);
      Node victim = nodes.get(n - 1);
      victim.close();
      long t0 = System.currentTimeMillis();
      await(() -> nodes.subList(0, n - 1).stream().allMatch(x -> x.ml().members().get("m" + (n - 1)).state().gone()), 120_000);
      long detect = System.currentTimeMillis() - t0;
      nodes.subList(0, n - 1).forEach(Node::close);
      System.out.printf("  spread p50 %d ms, p99 %d ms; detection %d ms; %.0f B/s per member idle, %.0f B/s while entries flow%n",
          pct(spread, 50), pct(spread, 99), detect, idleBps, busyBps);
      List<Node> lossy = cluster(n, port, 0.10);
      port += n + 10;
      Thread.sleep(30_000);
      long falseDead = lossy.stream().mapToLong(x -> x.ml().stats().declaredDead.get()).sum();
      long suspicions = lossy.stream().mapToLong(x -> x.ml().stats().suspicions.get()).sum();
      long refutes = lossy.stream().mapToLong(x -> x.ml().stats().refutations.get()).sum();
      lossy.forEach(Node::close);
      System.out.printf("  10%% loss for 30 s: %d declared dead (false positives), %d suspicions, %d refutations%n%n", falseDead,
          suspicions, refutes);
      rows.add(String.format("| %d | %d | %d | %d | %d | %.0f / %.0f |", n, pct(spread, 50), pct(spread, 99), detect, falseDead, idleBps,
          busyBps));
    }
    System.out.println("| members | spread p50 (ms) | spread p99 (ms) | detection (ms) | false positives, 10% loss, 30 s | B/s per member idle / busy |");
    System.out.println("|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println("Targets: spread p99 ≤ 1000 ms at 100 members; detection ≤ 5000 ms; 0 false positives.");
    System.exit(0);
  }
}
