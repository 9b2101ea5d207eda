package io.cnm.daemon.bench;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.dns.DnsSocket;
import io.cnm.daemon.dns.DnsTransport;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded DNS against dnsmasq (Debian's dnsmasq-base), each in a namespace of this
 * benchmark's own, answering the same name (web, A 10.0.0.5: ours from its records, dnsmasq's
 * from an addn-hosts file), loaded by dnsperf from inside that namespace over loopback. Per
 * round and server: throughput with 50 queries in flight (10 s), then latency at 1,000 qps
 * (10 s, every reply's latency from dnsperf -v). Three rounds, servers alternating.
 *
 * <p>A third server in the same rounds, the floor ({@code src/test/c/dns-floor.c}, built with the
 * machine's C compiler): it answers every query with one fixed record and does nothing else, with
 * the same batched calls as the embedded DNS. What it reaches is what the kernel and the load tool
 * allow any server on this machine; it is skipped, with the reason printed, where no compiler is.
 */
public final class DnsBench {
  static final int SECONDS = 10;
  static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
  static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
  static final Pattern COMPLETED = Pattern.compile("Queries completed:\\s+(\\d+)");
  static final Pattern REPLY = Pattern.compile("^> \\S+ web A ([0-9.]+)$", Pattern.MULTILINE);

  /**
   * @param cpuPerQuery the server's CPU time per answered query under load, in microseconds (its whole process)
   * @param kernelPerQuery the part of it spent in the kernel (system time): the UDP receive and send, mostly
   * @param allocPerQuery bytes allocated in this JVM per answered query under load (for the embedded DNS: its event
   *     loop's, Netty's per-datagram objects included; for dnsmasq: only the bench's own, not counted)
   * @param loadCpuPerQuery dnsperf's own CPU time per answered query under load (it takes its share of the machine's
   *     cores from the server's)
   */
  record Result(double qps, long lost, double p50, double p99, double cpuPerQuery, double kernelPerQuery, double allocPerQuery,
      double loadCpuPerQuery) {
    double userPerQuery() {
      return cpuPerQuery - kernelPerQuery;
    }
  }

  public static void main(String[] args) throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    for (String tool : List.of("dnsperf", "dnsmasq")) {
      if (!Files.isExecutable(Path.of("/usr/bin", tool)) && !Files.isExecutable(Path.of("/usr/sbin", tool))) {
        System.err.println("bench-dns needs " + tool + ": apt-get install -y dnsperf dnsmasq-base");
        System.exit(2);
      }
    }
    Path dir = Files.createTempDirectory("cnm-bench-dns");
    Path queries = dir.resolve("queries");
    Files.writeString(queries, "web A\n");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "10.0.0.5 web\n");
    DnsRecords records = new DnsRecords(Map.of("sb", Set.of("n1")), Map.of("n1", Map.of("web", List.of(IpAddress.parse("10.0.0.5")))),
        Map.of("n1", "bench"));
    try (TestNamespaces ns = new TestNamespaces();
         DnsServer cnm = new DnsServer(() -> records, (n, t) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream")))) {
      NetNamespace ours = ns.create("dns-cnm");
      ns.create("dns-masq");
      Optional<Path> floorBinary = floorBinary(dir);
      if (floorBinary.isPresent()) {
        ns.create("dns-floor");
      }
      DnsSocket ch = cnm.serve(ours, "sb", 53);
      System.out.println("embedded DNS transport: " + cnm.transport() + (cnm.transport() == DnsTransport.EPOLL ? ""
          : " (epoll did not load: " + DnsTransport.whyNotEpoll() + ")"));
      Process masq = new ProcessBuilder("ip", "netns", "exec", ns.fullName("dns-masq"), "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
          "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53",
          "--user=root", "--pid-file=").redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
      Process floor = floorBinary.isEmpty() ? null : new ProcessBuilder("ip", "netns", "exec", ns.fullName("dns-floor"),
          floorBinary.get().toString(), "127.0.0.1", "53").redirectErrorStream(true).redirectOutput(dir.resolve("floor.log").toFile()).start();
      try {
        Thread.sleep(500);
        List<Result> c = new ArrayList<>();
        List<Result> m = new ArrayList<>();
        List<Result> f = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
          c.add(run(ns.fullName("dns-cnm"), DnsServer.ADDRESS, queries, ProcessHandle.current().pid()));
          m.add(run(ns.fullName("dns-masq"), "127.0.0.1", queries, masq.pid()));
          System.out.printf("round %d: cnm %.0f qps, %.2f us CPU/query (p50 %.3f ms, p99 %.3f ms at 1,000 qps); dnsmasq %.0f qps, %.2f us "
              + "CPU/query (p50 %.3f, p99 %.3f)%n", round, c.get(round - 1).qps(), c.get(round - 1).cpuPerQuery(), c.get(round - 1).p50(),
              c.get(round - 1).p99(), m.get(round - 1).qps(), m.get(round - 1).cpuPerQuery(), m.get(round - 1).p50(), m.get(round - 1).p99());
          if (floor != null) {
            f.add(run(ns.fullName("dns-floor"), "127.0.0.1", queries, floor.pid()));
            System.out.printf("round %d: floor %.0f qps, %.2f us CPU/query (p50 %.3f, p99 %.3f)%n", round, f.get(round - 1).qps(),
                f.get(round - 1).cpuPerQuery(), f.get(round - 1).p50(), f.get(round - 1).p99());
          }
        }
        System.out.println();
        System.out.printf("%-10s %12s %16s %14s %14s %8s%n", "", "qps (50 in flight)", "CPU us/query", "p50 @1k qps", "p99 @1k qps", "lost");
        print("cnm", c);
        print("dnsmasq", m);
        if (!f.isEmpty()) {
          print("floor", f);
        }
        System.out.printf("cnm / dnsmasq throughput, per round: %s (target >= 2)%n",
            ratios(c, m, Result::qps));
        System.out.printf("dnsperf's own CPU per query, in each server's rounds: %s us: it sends and receives on threads of its own, "
            + "and shares the machine's cores with the server%n", ranges(Result::loadCpuPerQuery, c, m, f));
        if (!f.isEmpty()) {
          System.out.printf("floor / dnsmasq throughput, per round: %s: what a server doing nothing but answer reaches here; "
              + "the target's 2x can be shown only where this is well above 2%n", ratios(f, m, Result::qps));
          System.out.printf("cnm / floor throughput, per round: %s; floor / cnm CPU per query: %s (1 would be no cost over the kernel's)%n",
              ratios(c, f, Result::qps), ratios(f, c, Result::cpuPerQuery));
        }
        System.out.printf("of the CPU per query, in the kernel: %s us; in user space: %s us%n", ranges(Result::kernelPerQuery, c, m, f),
            ranges(Result::userPerQuery, c, m, f));
        System.out.printf("cnm: bytes allocated per query under load, per round: %s%n",
            String.join(", ", c.stream().map(x -> String.format("%.0f", x.allocPerQuery())).toList()));
        System.out.printf("dnsmasq / cnm CPU per query, per round: %s (above 1: cnm spends less per query)%n",
            ratios(m, c, Result::cpuPerQuery));
      } finally {
        if (floor != null) {
          floor.destroy();
        }
        masq.destroy();
        ch.closeNow(1000);
      }
    }
  }

  /** One value's range over the rounds of each server that ran: "cnm a-b, dnsmasq c-d, floor e-f". */
  static String ranges(java.util.function.Function<Result, Double> of, List<Result> cnm, List<Result> dnsmasq, List<Result> floor) {
    String out = "cnm " + range(cnm.stream().map(of).toList(), "%.2f") + ", dnsmasq " + range(dnsmasq.stream().map(of).toList(), "%.2f");
    return floor.isEmpty() ? out : out + ", floor " + range(floor.stream().map(of).toList(), "%.2f");
  }

  /** a[i] / b[i] for each round. */
  static String ratios(List<Result> a, List<Result> b, java.util.function.ToDoubleFunction<Result> of) {
    return String.join(", ", java.util.stream.IntStream.range(0, Math.min(a.size(), b.size()))
        .mapToObj(i -> String.format("%.2f", of.applyAsDouble(a.get(i)) / of.applyAsDouble(b.get(i)))).toList());
  }

  /**
   * The floor server built from its C source with the machine's compiler, or empty (the reason
   * printed) where there is no compiler or the source is not found from here.
   */
  static Optional<Path> floorBinary(Path dir) throws Exception {
    Path source = List.of(Path.of("src/test/c/dns-floor.c"), Path.of("node-daemon/src/test/c/dns-floor.c")).stream()
        .filter(Files::isRegularFile).findFirst().orElse(null);
    if (source == null) {
      System.out.println("floor: skipped, src/test/c/dns-floor.c not found from " + Path.of("").toAbsolutePath());
      return Optional.empty();
    }
    Path out = dir.resolve("dns-floor");
    Process cc;
    try {
      cc = new ProcessBuilder("cc", "-O2", "-o", out.toString(), source.toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      System.out.println("floor: skipped, no C compiler (cc): apt-get install -y gcc");
      return Optional.empty();
    }
    String said = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (cc.waitFor() != 0) {
      System.out.println("floor: skipped, cc failed: " + said.strip());
      return Optional.empty();
    }
    return Optional.of(out);
  }

  static void print(String who, List<Result> r) {
    System.out.printf("%-10s %12s %16s %14s %14s %8d%n", who, range(r.stream().map(Result::qps).toList(), "%.0f"),
        range(r.stream().map(Result::cpuPerQuery).toList(), "%.2f"),
        range(r.stream().map(Result::p50).toList(), "%.3f") + " ms", range(r.stream().map(Result::p99).toList(), "%.3f") + " ms",
        r.stream().mapToLong(Result::lost).sum());
  }

  static String range(List<Double> v, String fmt) {
    double lo = Collections.min(v);
    double hi = Collections.max(v);
    return String.format(fmt, lo) + "-" + String.format(fmt, hi);
  }

  /** Bytes allocated so far by this JVM's live threads (the DNS's event loop among them). */
  static long ownAllocatedBytes() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      sum += Math.max(0, b);
    }
    return sum;
  }

  /**
   * One round against one server.
   *
   * @param pid the server's process (for the embedded DNS, this JVM: with its GC and compiler threads, the bench's own idle)
   */
  static Result run(String namespace, String server, Path queries, long pid) throws Exception {
    ProcStat.Times cpu0 = ProcStat.times(pid);
    long alloc0 = ownAllocatedBytes();
    String load = dnsperf(namespace, server, queries, "-l", String.valueOf(SECONDS), "-q", "50", "-c", "1", "-T", "1");
    ProcStat.Times cpu1 = ProcStat.times(pid);
    double cpuPerQuery = (cpu1.totalNanos() - cpu0.totalNanos()) / 1000.0 / number(COMPLETED, load);
    double kernelPerQuery = (cpu1.kernelNanos() - cpu0.kernelNanos()) / 1000.0 / number(COMPLETED, load);
    double allocPerQuery = (ownAllocatedBytes() - alloc0) / number(COMPLETED, load);
    double loadCpuPerQuery = childCpuMicros(load) / number(COMPLETED, load);
    String paced = dnsperf(namespace, server, queries, "-l", String.valueOf(SECONDS), "-Q", "1000", "-q", "50", "-v");
    List<Double> lat = new ArrayList<>();
    Matcher r = REPLY.matcher(paced);
    while (r.find()) {
      lat.add(Double.parseDouble(r.group(1)) * 1000);
    }
    Collections.sort(lat);
    if (lat.isEmpty()) {
      throw new IllegalStateException("no replies at 1,000 qps from " + server + ":\n" + paced.lines().limit(20).toList());
    }
    return new Result(number(QPS, load), (long) number(LOST, load) + (long) number(LOST, paced), lat.get(lat.size() / 2),
        lat.get((int) Math.min(lat.size() - 1, Math.round(lat.size() * 0.99))), cpuPerQuery, kernelPerQuery, allocPerQuery,
        loadCpuPerQuery);
  }

  static double number(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("dnsperf said: " + text);
    }
    return Double.parseDouble(m.group(1));
  }

  /** The CPU time (user + system) of dnsperf, from the {@code times} its shell printed after it, in microseconds. */
  static double childCpuMicros(String out) {
    Matcher m = TIMES.matcher(out);
    double micros = -1;
    while (m.find()) { // the last line: the shell's children
      micros = (Double.parseDouble(m.group(1)) * 60 + Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3)) * 60
          + Double.parseDouble(m.group(4))) * 1e6;
    }
    if (micros < 0) {
      throw new IllegalStateException("no CPU times after dnsperf: " + out);
    }
    return micros;
  }

  private static final Pattern TIMES = Pattern.compile("(?m)^(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s$");

  /** dnsperf in the namespace, from a shell that then prints its children's CPU times ({@code times}). */
  static String dnsperf(String namespace, String server, Path queries, String... opts) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "\"$@\"; times", "dnsperf",
        "ip", "netns", "exec", namespace, "dnsperf", "-s", server, "-d", queries.toString()));
    cmd.addAll(List.of(opts));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
