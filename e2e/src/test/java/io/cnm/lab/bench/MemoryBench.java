package io.cnm.lab.bench;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.cnm.lab.LabAccess;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * The memory a DaemonSet and a Deployment must be given, on cnm-lab with both components in JVMs
 * of their own and the chart's JVM settings (the operator at its container's memory limit):
 * <ol>
 *   <li>1,000 endpoints on node1, all realized by its node-daemon: the daemon's RSS beside its
 *       heap (committed, and live after a full collection);</li>
 *   <li>9,000 more, one per pod annotated {@code cnm.io/networks} on nine other nodes (the
 *       operator makes and binds their endpoints, and caches every pod): the operator's RSS beside
 *       its heap with 10,000 endpoints in the cluster.</li>
 * </ol>
 * Each RSS is set against the target and the chart's memory limit.
 */
public final class MemoryBench {
  static final String NS = "default";
  static final int ON_NODE = 1000;
  static final int PAPER_NODES = 9;
  static final int PODS = 9000;
  static final long DAEMON_TARGET_MIB = 128;
  static final long OPERATOR_TARGET_MIB = 256;

  private final KubernetesClient client;
  private final Map<String, Long> ready = new ConcurrentHashMap<>();
  private final Map<String, Long> realized = new ConcurrentHashMap<>();

  private MemoryBench(KubernetesClient client) {
    this.client = client;
  }

  /** {@code daemon}: the first part alone (the node-daemon at 1,000 endpoints), a few minutes instead of half an hour. */
  public static void main(String[] args) throws Exception {
    boolean daemonOnly = args.length > 0 && args[0].equals("daemon");
    Path home = Path.of(System.getProperty("cnm.home", "..")).toAbsolutePath().normalize();
    LabAccess lab = new LabAccess(Files.createTempDirectory("cnm-bench-memory"), home);
    try {
      lab.run("up", "--nodes", "1", "--operator-process");
      E2eBench.sandboxes(ON_NODE);
      try (KubernetesClient client = lab.client()) {
        new MemoryBench(client).run(lab, daemonOnly);
      }
    } finally {
      lab.run("down");
    }
  }

  private void run(LabAccess lab, boolean daemonOnly) throws Exception {
    E2eBench.createNetwork(client, "10.80.0.0/20");
    SharedIndexInformer<CnmEndpoint> watch = E2eBench.watchEndpoints(client, ready, realized);
    try {
      long t0 = System.nanoTime();
      IntStream.range(0, ON_NODE).parallel().forEach(i -> client.resource(LabAccess.<CnmEndpoint>load(client,
          "apiVersion: cnm.io/v1alpha1\nkind: CnmEndpoint\nmetadata: {name: e" + i + "}\nspec:\n  network: bench\n"
              + "  sandbox: {nodeName: node1, netnsPath: /run/netns/cnmlab-b" + i + "}\n")).create());
      E2eBench.await(() -> realized.size() >= ON_NODE, 900, ON_NODE + " endpoints realized on node1");
      System.out.printf("%d endpoints on node1, all Realized in %.1f s%n", ON_NODE, (System.nanoTime() - t0) / 1e9);
      Thread.sleep(20_000); // the daemon's work after the last one (status writes, DNS, gossip records) settles
      long daemonRss = report(lab, "node-daemon-node1", "node-daemon with " + ON_NODE + " endpoints on its node", lab.daemonJvmOptions(),
          limit(lab, "nodeDaemon"), DAEMON_TARGET_MIB);
      if (daemonOnly) {
        System.out.printf("target: node-daemon %d MiB <= %d: %s%n", daemonRss, DAEMON_TARGET_MIB, daemonRss <= DAEMON_TARGET_MIB ? "met" : "NOT met");
        return;
      }

      for (int n = 2; n <= PAPER_NODES + 1; n++) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node" + n).endMetadata().build()).create();
      }
      long t1 = System.nanoTime();
      IntStream.range(0, PODS).parallel().forEach(i -> client.pods().inNamespace(NS).resource(pod(i)).create());
      E2eBench.await(() -> ready.size() >= ON_NODE + PODS, 3600, (ON_NODE + PODS) + " endpoints Ready");
      System.out.printf("%d pods on %d other nodes, their endpoints all Ready in %.1f s (the lab's mock API server bounds it)%n", PODS,
          PAPER_NODES, (System.nanoTime() - t1) / 1e9);
      Thread.sleep(20_000);
      long operatorRss = report(lab, "operator", "operator with " + (ON_NODE + PODS) + " endpoints and " + PODS + " pods in the cluster",
          lab.operatorJvmOptions(), limit(lab, "operator"), OPERATOR_TARGET_MIB);
      long daemonAfter = lab.rssMiB("node-daemon-node1");
      String daemonAfterParts = lab.rssParts("node-daemon-node1");
      System.out.printf("node-daemon after the cluster grew (its own %d endpoints unchanged): RSS %d MiB (%s); pods in its heap: %d "
          + "(it watches its node's only)%n", ON_NODE, daemonAfter, daemonAfterParts,
          lab.instances("node-daemon-node1", "io.fabric8.kubernetes.api.model.Pod"));
      String nmtAfter = lab.nativeMemory("node-daemon-node1");
      if (!nmtAfter.isEmpty()) {
        System.out.println("  committed by category: " + nmtAfter);
      }
      System.out.printf("targets: node-daemon %d MiB <= %d: %s; operator %d MiB <= %d: %s%n", Math.max(daemonRss, daemonAfter),
          DAEMON_TARGET_MIB, Math.max(daemonRss, daemonAfter) <= DAEMON_TARGET_MIB ? "met" : "NOT met", operatorRss, OPERATOR_TARGET_MIB,
          operatorRss <= OPERATOR_TARGET_MIB ? "met" : "NOT met");
    } finally {
      watch.close();
    }
  }

  /** One process's memory: RSS against the target and the chart's limit, the heap committed and live, native memory when tracked. */
  private static long report(LabAccess lab, String process, String what, java.util.List<String> options, long limitMiB, long targetMiB)
      throws Exception {
    long rss = lab.rssMiB(process);
    String parts = lab.rssParts(process); // beside the RSS: the jcmd calls below make the JVM allocate
    long committed = lab.heapCommittedMiB(process);
    long used = lab.heapUsedMiB(process);
    long live = lab.liveHeapMiB(process);
    System.out.printf("%s: RSS %d MiB (target %d, chart limit %d MiB); heap committed %d MiB, in use %d, live after a full GC %d; %d threads, "
        + "%d classes%n", what, rss, targetMiB, limitMiB, committed, used, live, lab.threads(process), lab.classesLoaded(process));
    System.out.println("  RSS in MiB: " + parts);
    System.out.println("  JVM options: " + String.join(" ", options));
    String nmt = lab.nativeMemory(process);
    if (!nmt.isEmpty()) {
      System.out.println("  committed by category: " + nmt);
    }
    int rows = Integer.getInteger("cnm.bench.histogram", 0);
    if (rows > 0) {
      System.out.println("  live heap by class (jcmd GC.class_histogram):\n" + lab.classHistogram(process, rows));
    }
    if (rss >= limitMiB) {
      throw new IllegalStateException(process + " uses " + rss + " MiB, at or over its chart limit of " + limitMiB + " MiB: it would be OOM-killed");
    }
    return rss;
  }

  /** The chart's memory limit of {@code section}, in MiB: the bench judges against it, so it must be there. */
  static long limit(LabAccess lab, String section) {
    long mib = lab.chartMemoryLimitMiB(section);
    if (mib <= 0) {
      throw new IllegalStateException("no memory limit for " + section + " in the chart's values");
    }
    return mib;
  }

  /** A pod as a Deployment's ReplicaSet makes it and the kubelet reports it (without managed fields, which a real API server adds). */
  private static Pod pod(int i) {
    return new PodBuilder().withNewMetadata().withName("web-7d4b9c-" + i)
        .withAnnotations(Map.of(NetworksAnnotation.NAME, "bench", "kubectl.kubernetes.io/restartedAt", "2026-11-29T10:00:00Z"))
        .addToLabels("app", "web").addToLabels("pod-template-hash", "7d4b9c")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-7d4b9c").withUid("rs-" + i % 10)
        .withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName("node" + (2 + i % PAPER_NODES)).withServiceAccountName("web")
        .addNewContainer().withName("web").withImage("registry.example/web:1.2.3").addNewPort().withContainerPort(8080).withName("http").endPort()
        .addNewEnv().withName("MODE").withValue("production").endEnv()
        .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi")).endResources()
        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort(8080).endHttpGet().endReadinessProbe()
        .addNewVolumeMount().withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount").withReadOnly(true)
        .endVolumeMount().endContainer()
        .addNewVolume().withName("kube-api-access").withNewProjected().addNewSource().withNewServiceAccountToken().withPath("token")
        .withExpirationSeconds(3607L).endServiceAccountToken().endSource().endProjected().endVolume()
        .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(300L)
        .endToleration().endSpec()
        .withNewStatus().withPhase("Running").withPodIP("10.244." + (2 + i % PAPER_NODES) + "." + (i / PAPER_NODES % 250 + 2))
        .withHostIP("198.19.0." + (12 + i % PAPER_NODES)).withQosClass("Burstable").withStartTime("2026-11-29T10:00:00Z")
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewCondition().withType("ContainersReady").withStatus("True").endCondition()
        .addNewContainerStatus().withName("web").withReady(true).withStarted(true).withRestartCount(0).withImage("registry.example/web:1.2.3")
        .withContainerID("containerd://" + "0".repeat(56) + String.format("%08d", i)).endContainerStatus()
        .endStatus().build();
  }
}
