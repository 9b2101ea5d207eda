package io.cnm.daemon.bench;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.daemon.agent.BoundObjects;
import io.cnm.daemon.agent.ClusterTables;
import io.cnm.daemon.agent.NodeAgent;
import io.cnm.daemon.agent.PodSandboxes;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.sandbox.Sandboxes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code make bench-pass}: the node-daemon's pass with 500 endpoints already on the node (one
 * bridge network, 500 sandboxes), when one endpoint is added: the pass that applies only the
 * difference (what the agent does now) against a full pass that re-joins every endpoint (what
 * every pass did before the reshaping, and what the periodic re-sync still does), measured on the
 * same node in the same run, 7 times each. Pass time is the agent's own measure from the start of
 * the pass to its end (kernel work, nftables, DNS, status writes).
 */
public final class PassBench {
  private PassBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    KubernetesClient client = server.createClient();
    io.cnm.api.crd.Crds.install(client);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build()).create();
    try (TestNamespaces ns = new TestNamespaces()) {
      NetNamespace node = ns.create("node");
      Netlink nodeNl = RouteNetlink.in(node);
      network(client);
      List<NetNamespace> sandboxes = new ArrayList<>();
      for (int i = 0; i < n + 14; i++) {
        sandboxes.add(ns.create("s" + i));
      }
      for (int i = 0; i < n; i++) {
        endpoint(client, "e" + i, sandboxes.get(i), i);
      }
      AtomicReference<DnsRecords> records = new AtomicReference<>(DnsRecords.EMPTY);
      try (DnsServer dns = new DnsServer(records::get,
          (name, type) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream")))) {
        Drivers drivers = Drivers.builtIn(new Sandboxes(nodeNl, NetlinkFactory.kernel()), new Underlay(null, 1500),
            Cidr.parse("172.31.240.0/20"));
        Path etc = Files.createTempDirectory("cnm-bench-etc");
        NodeAgent agent = new NodeAgent(client, "node-1", null, nodeNl, drivers, new NftCommand(node.path()), dns, records,
            new PodSandboxes(Path.of("/proc")), etc, ClusterTables.NONE, List.of()).resyncEvery(3_600_000);
        long t0 = System.nanoTime();
        agent.start();
        awaitRealized(client, n);
        System.out.printf("%d endpoints realized from scratch in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(1000);
        long[] diff = new long[7];
        long[] full = new long[7];
        long[] longest = new long[7];
        for (int k = 0; k < diff.length; k++) {
          endpoint(client, "x" + k, sandboxes.get(n + k), n + k);
          awaitRealized(client, "x" + k); // that one only: a list of all 500 would keep the API server from the daemon's write
          Thread.sleep(300);
          diff[k] = passWith(agent, false);
          long[] round = resyncRound(agent);
          full[k] = round[0];
          longest[k] = round[1];
        }
        // A pass with nothing to do (an event that changed nothing the node acts on, the periodic look): what every pass costs at n.
        long[] idle = new long[200];
        for (int k = 0; k < idle.length; k++) {
          NodeAgent.PassStats before = agent.lastPass();
          agent.trigger();
          idle[k] = awaitNextPass(agent, before).nanos();
          Thread.sleep(10);
        }
        agent.close();
        Arrays.sort(idle);
        System.out.printf("pass with nothing to do at %d endpoints (%d passes): %.1f ms median, p10 %.1f, p90 %.1f%n", n, idle.length,
            idle[idle.length / 2] / 1e6, idle[idle.length / 10] / 1e6, idle[idle.length * 9 / 10] / 1e6);
        Arrays.sort(diff);
        Arrays.sort(full);
        Arrays.sort(longest);
        System.out.printf("pass when 1 endpoint is added to %d: %.1f ms median (min %.1f, max %.1f)%n", n, diff[3] / 1e6, diff[0] / 1e6,
            diff[6] / 1e6);
        System.out.printf("a re-sync checking every join (%d-%d on the node): %.1f ms from its first pass to its last, median (min %.1f, "
            + "max %.1f); its longest pass, which a new endpoint can wait behind: %.1f ms median (min %.1f, max %.1f)%n",
            n + 1, n + diff.length, full[3] / 1e6, full[0] / 1e6, full[6] / 1e6, longest[3] / 1e6, longest[0] / 1e6, longest[6] / 1e6);
      }
      nodeNl.close();
    } finally {
      client.close();
      server.destroy();
    }
    System.exit(0);
  }

  /** The duration of the last pass, which must have been a difference pass that joined one endpoint. */
  static long passWith(NodeAgent agent, boolean full) {
    NodeAgent.PassStats s = agent.lastWork();
    if (s.full() != full || s.joins() != 1) {
      throw new IllegalStateException("unexpected pass: " + s);
    }
    return s.nanos();
  }

  static NodeAgent.PassStats awaitNextPass(NodeAgent agent, NodeAgent.PassStats before) throws InterruptedException {
    for (int i = 0; i < 6000; i++) {
      NodeAgent.PassStats s = agent.lastPass();
      if (s != before) {
        return s;
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("no pass");
  }

  /**
   * A re-sync round asked for now: from its first (full) pass until its last join was checked,
   * over however many passes it was spread, and the longest of those passes (ns).
   */
  static long[] resyncRound(NodeAgent agent) throws InterruptedException {
    NodeAgent.PassStats before = agent.lastPass();
    agent.requestResync();
    long start = 0;
    long longest = 0;
    for (int i = 0; i < 600_000; i++) {
      NodeAgent.PassStats s = agent.lastPass();
      if (s != before) {
        if (start == 0 && s.full()) {
          start = System.nanoTime() - s.nanos();
        }
        if (start != 0) {
          longest = Math.max(longest, s.nanos());
          if (agent.resyncLeft() == 0) {
            return new long[] {System.nanoTime() - start, longest};
          }
        }
        before = s;
      }
      Thread.sleep(0, 100_000);
    }
    throw new IllegalStateException("no re-sync round ended");
  }

  static void awaitRealized(KubernetesClient client, String name) throws InterruptedException {
    for (int i = 0; i < 12_000; i++) {
      CnmEndpoint e = client.resources(CnmEndpoint.class).inNamespace("bench").withName(name).get();
      if (e != null && e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("endpoint " + name + " not realized");
  }

  static void awaitRealized(KubernetesClient client, int count) throws InterruptedException {
    for (int i = 0; i < 2400; i++) {
      long done = client.resources(CnmEndpoint.class).inNamespace("bench").list().getItems().stream()
          .filter(e -> e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED)).count();
      if (done >= count) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("endpoints not realized");
  }

  static void network(KubernetesClient client) {
    BoundObjects.network(client, "bench", "benchnet", "0badc0ffee00", "10.40.0.0/16", "10.40.0.1");
  }

  static void endpoint(KubernetesClient client, String name, NetNamespace sandbox, int i) {
    IpAddress ip = IpAddress.ofV4(IpAddress.parse("10.40.0.2").v4Value() + i);
    BoundObjects.endpoint(client, "bench", name, "benchnet", "node-1", sandbox.path(), Cidr.of(ip, 16), "10.40.0.1", List.of());
  }
}
