package io.cnm.daemon.bench;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.dns.DnsClientAccess;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code make bench-attach}: attach latency for N endpoints on one node (default 200), cnm
 * against the CNI reference plugins (bridge + host-local, Debian's containernetworking-plugins)
 * in the same run, after 50 warm-up attaches of each that are not counted. The two alternate one
 * attach at a time (which of them goes first alternates too), so both meet the same background
 * load: measured one block after the other, cnm's median moved 4.3-9.0 ms from run to run, likely
 * with the kernel's cleanup of namespaces deleted just before (by an earlier run, by tests).
 * cnm's time runs from handing the endpoint to the bridge driver until its interface is up with
 * its address inside the sandbox and the sandbox's DNS (127.0.0.11) answers its name; the CNI
 * time is one ADD (interface and address; a CNI plugin serves no DNS). Both work in a throwaway
 * node namespace with fresh sandboxes (cnmtest-*), all removed at the end. Addresses: cnm
 * 10.30.0.0/16, CNI 10.31.0.0/16.
 */
public final class AttachBench {
  static final Path CNI = Path.of("/usr/lib/cni");

  private AttachBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    // Warm-up attaches, not counted: the daemon is a long-running JVM, so its attach path is JIT-compiled.
    int warm = 50;
    if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(CNI.resolve("bridge"))) {
      System.out.println("bench-attach needs root and /usr/lib/cni/bridge (apt-get install containernetworking-plugins)");
      System.exit(2);
    }
    try (TestNamespaces ns = new TestNamespaces()) {
      NetNamespace node = ns.create("benchnode");
      List<NetNamespace> cnmSandboxes = new ArrayList<>();
      List<NetNamespace> cniSandboxes = new ArrayList<>();
      for (int i = 0; i < n + warm; i++) {
        cnmSandboxes.add(ns.create("a" + i));
        cniSandboxes.add(ns.create("c" + i));
      }
      long[] cnm = new long[n + warm];
      long[] cni = new long[n + warm];
      long[][] phases = new long[3][n + warm];
      try (Cnm side = new Cnm(node, cnmSandboxes)) {
        Cni other = new Cni(node, cniSandboxes);
        for (int i = 0; i < n + warm; i++) {
          if (i % 2 == 0) {
            cnm[i] = side.attach(i, phases);
            cni[i] = other.attach(i);
          } else {
            cni[i] = other.attach(i);
            cnm[i] = side.attach(i, phases);
          }
        }
      }
      print(n, Arrays.copyOfRange(cnm, warm, n + warm), Arrays.copyOfRange(cni, warm, n + warm),
          Arrays.stream(phases).map(p -> Arrays.copyOfRange(p, warm, n + warm)).toArray(long[][]::new));
    }
    System.exit(0);
  }

  /** cnm's side: one bridge network, the embedded DNS serving every sandbox's names. */
  private static final class Cnm implements AutoCloseable {
    private final List<NetNamespace> sandboxes;
    private final NetworkInfo net;
    private final List<EndpointInfo> eps = new ArrayList<>();
    private final Netlink nodeNl;
    private final DnsServer dns;
    private final BridgeDriver driver;

    Cnm(NetNamespace node, List<NetNamespace> sandboxes) {
      this.sandboxes = sandboxes;
      Cidr subnet = Cidr.parse("10.30.0.0/16");
      net = new NetworkInfo("bench/net", "benchnet", "bridge", List.of(subnet), List.of(Cidr.parse("10.30.0.1/16")),
          false, 0, 0, false, Map.of(BridgeDriver.NAME, "br-bench"));
      Map<String, Set<String>> ofSandbox = new HashMap<>();
      Map<String, List<IpAddress>> names = new HashMap<>();
      for (int i = 0; i < sandboxes.size(); i++) {
        IpAddress ip = IpAddress.ofV4(subnet.network().v4Value() + 2 + i);
        byte[] b = ip.bytes();
        String mac = String.format("02:42:%02x:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
        eps.add(new EndpointInfo("bench/ep" + i, net.key(), sandboxes.get(i).path(), null, Cidr.of(ip, 16),
            IpAddress.parse("10.30.0.1"), mac, List.of()));
        ofSandbox.put(sandboxes.get(i).path(), new HashSet<>(Set.of(net.key())));
        names.put("ep" + i, List.of(ip));
      }
      DnsRecords records = new DnsRecords(ofSandbox, Map.of(net.key(), names), Map.of(net.key(), "benchnet"));
      nodeNl = RouteNetlink.in(node);
      dns = new DnsServer(() -> records,
          (name, type) -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no upstream")));
      driver = new BridgeDriver(new io.cnm.daemon.sandbox.Sandboxes(nodeNl, NetlinkFactory.kernel()));
      driver.ensureNetwork(net);
    }

    /** Endpoint i joined until its name is answered in its sandbox (ns); its phases (join, DNS bind, first answer) into {@code phases}. */
    long attach(int i, long[][] phases) {
      long t0 = System.nanoTime();
      driver.join(net, eps.get(i));
      long t1 = System.nanoTime();
      dns.serve(sandboxes.get(i), sandboxes.get(i).path(), 53);
      long t2 = System.nanoTime();
      List<String> answer = DnsClientAccess.resolve(sandboxes.get(i), "ep" + i);
      long took = System.nanoTime() - t0;
      phases[0][i] = t1 - t0;
      phases[1][i] = t2 - t1;
      phases[2][i] = took - (t2 - t0);
      if (answer == null || !answer.equals(List.of(eps.get(i).ipv4().address().toString()))) {
        throw new IllegalStateException("endpoint " + i + " does not answer its own name: " + answer);
      }
      return took;
    }

    @Override
    public void close() {
      dns.close();
      nodeNl.close();
    }
  }

  /** The CNI side: the reference bridge plugin with host-local, one ADD per sandbox. */
  private static final class Cni {
    private final NetNamespace node;
    private final List<NetNamespace> sandboxes;
    private final String conf;

    Cni(NetNamespace node, List<NetNamespace> sandboxes) throws java.io.IOException {
      this.node = node;
      this.sandboxes = sandboxes;
      Path ipamDir = Files.createTempDirectory("cnm-bench-cni-ipam");
      conf = """
          {"cniVersion":"1.0.0","name":"benchcni","type":"bridge","bridge":"cnibench0","isGateway":true,"ipMasq":false,
           "ipam":{"type":"host-local","subnet":"10.31.0.0/16","dataDir":"%s"}}""".formatted(ipamDir);
    }

    /** One ADD for sandbox i (ns), spawned from a thread inside the node namespace: the plugin builds its bridge there. */
    long attach(int i) {
      String netns = sandboxes.get(i).path();
      String id = "bench" + i;
      return node.run(() -> {
        ProcessBuilder pb = new ProcessBuilder(CNI.resolve("bridge").toString()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", id, "CNI_NETNS", netns, "CNI_IFNAME", "eth0",
            "CNI_PATH", CNI.toString()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("CNI ADD failed: " + out);
        }
        return System.nanoTime() - t0;
      });
    }
  }

  private static void print(int n, long[] cnm, long[] cni, long[][] phases) {
    System.out.printf("attach latency, %d endpoints on one node after 50 warm-up attaches each, the two alternating (ms)%n", n);
    System.out.printf("%-46s %8s %8s %8s%n", "", "min", "median", "p95");
    row("cnm bridge driver (netlink) + DNS answering", cnm);
    row("CNI bridge + host-local (reference plugins)", cni);
    System.out.printf("ratio of medians, CNI / cnm: %.1fx%n", median(cni) / median(cnm));
    System.out.printf("cnm median by phase: join %.2f ms, DNS bind %.2f ms, first DNS answer %.2f ms%n",
        median(phases[0]), median(phases[1]), median(phases[2]));
  }

  private static void row(String name, long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    System.out.printf("%-46s %8.2f %8.2f %8.2f%n", name, s[0] / 1e6, median(ns), s[(int) Math.ceil(s.length * 0.95) - 1] / 1e6);
  }

  private static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return s[s.length / 2] / 1e6;
  }
}
