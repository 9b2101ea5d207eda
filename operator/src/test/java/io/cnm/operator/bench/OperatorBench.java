package io.cnm.operator.bench;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.Ipam;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.operator.api.OperatorHarness;
import io.cnm.api.status.Conditions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code make bench-operator}. Prints:
 * <ol>
 *   <li>IPAM alone: every address of a /16 allocated, and a /20 against a baseline allocator that
 *       scans from the start of the range and checks a HashSet (how list-scanning IPAMs work).</li>
 *   <li>1,000 CnmEndpoints over 10 nodes on 5 networks (3 overlay, 2 bridge), from creation to all
 *       Ready, through the operator against the Fabric8 mock API server; the baseline is the same
 *       API doing the same writes with no operator (create each endpoint, patch its status), the
 *       floor that any operator pays.</li>
 * </ol>
 */
public final class OperatorBench {
  private OperatorBench() {}

  public static void main(String[] args) throws Exception {
    int endpoints = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    System.out.println("== IPAM alone ==");
    ipamBench();
    System.out.println();
    System.out.println("== " + endpoints + " endpoints, 10 nodes, 5 networks, mock API server ==");
    endToEnd(endpoints);
    // The mock server's HTTP threads are not daemons: end the program (exec:java would wait on them).
    System.exit(0);
  }

  private static void ipamBench() {
    for (int warm = 0; warm < 3; warm++) {
      fill("10.0.0.0/16");
      fill("10.0.0.0/20");
      naive("10.0.0.0/20");
    }
    long t16 = fill("10.0.0.0/16");
    long n16 = 65533;
    System.out.printf("cnm IPAM, whole /16 (%d addresses): %.1f ms, %.0f ns/address%n", n16, t16 / 1e6, (double) t16 / n16);
    long t20 = fill("10.0.0.0/20");
    long b20 = naive("10.0.0.0/20");
    System.out.printf("cnm IPAM, whole /20 (4093 addresses): %.2f ms; baseline scan-a-set allocator: %.2f ms; ratio baseline/cnm = %.1fx%n",
        t20 / 1e6, b20 / 1e6, (double) b20 / t20);
  }

  /** Every address of the subnet through the real IPAM; returns nanoseconds. */
  private static long fill(String subnet) {
    io.cnm.operator.ipam.Ipam ipam = io.cnm.operator.ipam.Ipam.withDockerDefaults();
    CnmNetworkSpec spec = new CnmNetworkSpec();
    spec.setDriver("overlay");
    Ipam i = new Ipam();
    i.setConfig(List.of(new IpamConfig(subnet)));
    spec.setIpam(i);
    ipam.allocateNetwork("b/net", spec);
    long start = System.nanoTime();
    int n = 0;
    while (true) {
      try {
        ipam.allocateEndpoint("b/net", "ep" + n, "n1", null, null);
        n++;
      } catch (RuntimeException exhausted) {
        break;
      }
    }
    return System.nanoTime() - start;
  }

  private static long naive(String subnet) {
    Cidr c = Cidr.parse(subnet);
    long base = c.network().v4Value();
    long size = c.size().longValue();
    Set<Long> used = new HashSet<>();
    used.add(base + 1);
    long start = System.nanoTime();
    for (long k = 0; k < size - 3; k++) {
      for (long a = base + 1; a < base + size - 1; a++) {
        if (!used.contains(a)) {
          used.add(a);
          IpAddress.ofV4(a);
          break;
        }
      }
    }
    return System.nanoTime() - start;
  }

  private static void endToEnd(int count) throws Exception {
    // Baseline: the API alone, same writes, no operator.
    long floor;
    try (OperatorHarness h = new OperatorHarness()) {
      floor = apiFloor(h, count);
    }
    System.out.printf("baseline, API alone (create + status patch, 8 client threads): %.2f s, %.0f endpoints/s%n",
        floor / 1e9, count / (floor / 1e9));
    try (OperatorHarness h = new OperatorHarness().start()) {
      List<String> networks = List.of("ov0", "ov1", "ov2", "br0", "br1");
      for (String n : networks) {
        h.client.resource(network(n, n.startsWith("ov") ? "overlay" : "bridge")).create();
      }
      waitNetworks(h, networks);
      long start = System.nanoTime();
      create(h, count, networks);
      int ready;
      long deadline = System.nanoTime() + 600_000_000_000L;
      do {
        Thread.sleep(50);
        ready = (int) h.client.resources(CnmEndpoint.class).inNamespace("test").list().getItems().stream()
            .filter(e -> e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY)).count();
      } while (ready < count && System.nanoTime() < deadline);
      long took = System.nanoTime() - start;
      List<CnmEndpoint> all = h.client.resources(CnmEndpoint.class).inNamespace("test").list().getItems();
      long distinct = all.stream().map(e -> e.getSpec().getNetwork() + "|"
          + (e.getSpec().getNetwork().startsWith("br") ? e.getStatus().getNodeName() : "") + "|" + e.getStatus().getIpv4Address()).distinct().count();
      System.out.printf("cnm operator: %d/%d Ready in %.2f s, %.0f endpoints/s; ratio operator/baseline = %.2fx; duplicates: %d%n",
          ready, count, took / 1e9, ready / (took / 1e9), (double) took / floor, all.size() - distinct);
    }
  }

  private static long apiFloor(OperatorHarness h, int count) throws Exception {
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int k = i;
      done.add(pool.submit(() -> {
        CnmEndpoint e = h.client.resource(endpoint(k, List.of("ov0"))).create();
        CnmEndpointStatus st = new CnmEndpointStatus();
        st.setNodeName("node-" + (k % 10));
        st.setIpv4Address(IpAddress.ofV4(0x0a000000L + k + 2) + "/16");
        st.setConditions(Conditions.set(null, Conditions.READY, true, "Bound", "x", 1L));
        e.setStatus(st);
        h.client.resource(e).patchStatus();
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return System.nanoTime() - start;
  }

  private static void create(OperatorHarness h, int count, List<String> networks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int k = i;
      done.add(pool.submit(() -> h.client.resource(endpoint(k, networks)).create()));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
  }

  private static void waitNetworks(OperatorHarness h, List<String> names) throws InterruptedException {
    for (String n : names) {
      while (h.network(n) == null || h.network(n).getStatus() == null
          || !Conditions.isTrue(h.network(n).getStatus().getConditions(), Conditions.READY)) {
        Thread.sleep(20);
      }
    }
  }

  private static CnmNetwork network(String name, String driver) {
    CnmNetwork n = new CnmNetwork();
    n.getMetadata().setName(name);
    n.getMetadata().setNamespace("test");
    CnmNetworkSpec s = new CnmNetworkSpec();
    s.setDriver(driver);
    n.setSpec(s);
    return n;
  }

  private static CnmEndpoint endpoint(int k, List<String> networks) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName("ep" + k);
    e.getMetadata().setNamespace("test");
    CnmEndpointSpec s = new CnmEndpointSpec();
    s.setNetwork(networks.get(k % networks.size()));
    s.setSandbox(Sandbox.ofNetns("node-" + (k % 10), "/var/run/netns/ep" + k));
    e.setSpec(s);
    return e;
  }

}
