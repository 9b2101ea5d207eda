package io.cnm.lab.bench;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.lab.LabAccess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What a user waits for, on cnm-lab (one node, the real node-daemon process, the operator in the
 * lab's API process): a CnmEndpoint created through the API until a watch sees it Ready (the
 * operator's part) and Realized (the daemon's part), with 20 and with 500 endpoints already on the
 * node. Beside it, in the same run, the API's own floor: a ConfigMap created, a trivial controller
 * in this process writing it once on its ADD (one request, from its informer's copy), the watch
 * seeing that write; one floor sample before each endpoint sample, so both meet the same load.
 * The floor in its own words, a create and one status write, on a custom resource of a
 * kind of the bench's own ({@code BenchObject}), is printed beside it.
 * And the chain: the same requests and watch hops as an endpoint's, made by trivial controllers
 * here, so what the path's own traffic takes is told apart from the operator's and daemon's work.
 * Also the bursts (480 endpoints created at once on one node, then 300 over three nodes, until all
 * are realized), the CPU the processes used meanwhile, and the daemon's memory.
 */
public final class E2eBench {
  static final int SAMPLES = 30;
  static final String NS = "default";

  private final KubernetesClient client;
  private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
  private final Map<String, Long> realizedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> floorSeen = new ConcurrentHashMap<>();
  private final Map<String, Long> chainSeen = new ConcurrentHashMap<>();
  private final Map<String, Long> chainBoundSeen = new ConcurrentHashMap<>();
  private final Map<String, Long> crFloorSeen = new ConcurrentHashMap<>();
  /** The custom-resource floor's kind: no controller of the product reads it. */
  static final ResourceDefinitionContext BENCH_OBJECTS = new ResourceDefinitionContext.Builder().withGroup("bench.cnm.io")
      .withVersion("v1").withKind("BenchObject").withPlural("benchobjects").withNamespaced(true).build();

  private E2eBench(KubernetesClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    Path home = Path.of(System.getProperty("cnm.home", "..")).toAbsolutePath().normalize();
    Path state = Files.createTempDirectory("cnm-bench-e2e");
    LabAccess lab = new LabAccess(state, home);
    try {
      lab.run("up", "--nodes", "1");
      sandboxes(520);
      try (KubernetesClient client = lab.client()) {
        new E2eBench(client).run(lab);
      }
    } finally {
      lab.run("down");
    }
    // The burst over three nodes: 300 endpoints created at once, 100 per node.
    LabAccess three = new LabAccess(Files.createTempDirectory("cnm-bench-e2e3"), home);
    try {
      three.run("up", "--nodes", "3");
      sandboxes(300);
      try (KubernetesClient client = three.client()) {
        new E2eBench(client).burstOverNodes(three, 300, 3);
      }
    } finally {
      three.run("down");
    }
  }

  private void burstOverNodes(LabAccess lab, int n, int nodes) throws Exception {
    createNetwork();
    SharedIndexInformer<CnmEndpoint> watch = watchEndpoints();
    try {
      long api0 = lab.cpuMillis("api");
      long[] d0 = new long[nodes];
      for (int k = 0; k < nodes; k++) {
        d0[k] = lab.cpuMillis("node-daemon-node" + (k + 1));
      }
      long t0 = System.nanoTime();
      IntStream.range(0, n).parallel().forEach(i -> client.resource(endpoint("e" + i, i, "node" + (i % nodes + 1))).create());
      await(() -> IntStream.range(0, n).allMatch(i -> realizedAt.containsKey("e" + i)), 600, "burst over " + nodes + " nodes");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      StringBuilder daemons = new StringBuilder();
      for (int k = 0; k < nodes; k++) {
        daemons.append(k == 0 ? "" : ", ").append(String.format("%.0f%%", 100.0 * (lab.cpuMillis("node-daemon-node" + (k + 1)) - d0[k]) / ms));
      }
      System.out.printf("burst over %d nodes: %d endpoints at once, all Realized in %d ms (%.1f ms each); CPU meanwhile: lab API server + "
          + "operator %.0f%%, node-daemons %s (of one core; the machine has %d)%n", nodes, n, ms, ms / (double) n,
          100.0 * (lab.cpuMillis("api") - api0) / ms, daemons, Runtime.getRuntime().availableProcessors());
    } finally {
      watch.close();
    }
  }

  /** Bare sandboxes cnmlab-b0..., as `cnm-lab sandbox add` makes them, in one ip -batch. */
  static void sandboxes(int n) throws Exception {
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < n; i++) {
      batch.append("netns add cnmlab-b").append(i).append('\n');
    }
    sh(batch.toString(), "ip", "-batch", "-");
    IntStream.range(0, n).parallel().forEach(i -> {
      try {
        sh("", "ip", "-n", "cnmlab-b" + i, "link", "set", "lo", "up");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static void sh(String stdin, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }

  private void createNetwork() {
    createNetwork(client, "10.80.0.0/22");
  }

  /** The benchmarks' bridge network {@code bench}. */
  static void createNetwork(KubernetesClient client, String subnet) {
    client.resource(LabAccess.<io.cnm.api.v1alpha1.CnmNetwork>load(client, """
        apiVersion: cnm.io/v1alpha1
        kind: CnmNetwork
        metadata: {name: bench}
        spec:
          driver: bridge
          ipam: {config: [{subnet: %s}]}
        """.formatted(subnet))).create();
  }

  private SharedIndexInformer<CnmEndpoint> watchEndpoints() {
    return watchEndpoints(client, readyAt, realizedAt);
  }

  /** Records when each endpoint is first seen Ready and Realized (System.nanoTime, by name). */
  static SharedIndexInformer<CnmEndpoint> watchEndpoints(KubernetesClient client, Map<String, Long> readyAt, Map<String, Long> realizedAt) {
    return client.resources(CnmEndpoint.class).inNamespace(NS).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(CnmEndpoint e) {
        seen(e, readyAt, realizedAt);
      }

      @Override
      public void onUpdate(CnmEndpoint a, CnmEndpoint b) {
        seen(b, readyAt, realizedAt);
      }

      @Override
      public void onDelete(CnmEndpoint e, boolean unknown) {}
    });
  }

  private void run(LabAccess lab) throws Exception {
    createNetwork();
    SharedIndexInformer<CnmEndpoint> watch = watchEndpoints();
    // The floor's trivial controller: on a ConfigMap's ADD, one write; the watch records when that write comes back.
    SharedIndexInformer<ConfigMap> floor = informer("floor", c -> {
      // One request, from the informer's copy and its resourceVersion (as the daemon writes a status);
      // edit() would read the object first, a second request the floor is not meant to have.
      ConfigMap handled = client.getKubernetesSerialization().clone(c);
      handled.setData(Map.of("handled", "yes"));
      client.configMaps().inNamespace(NS).resource(handled).update();
    }, c -> {
      if (has(c, "handled")) {
        floorSeen.putIfAbsent(c.getMetadata().getName(), System.nanoTime());
      }
    });
    // The operator's admission webhook (on in the lab unless CNM_LAB_ADMISSION_WEBHOOK=false): endpoints come with their
    // labels and finalizer, and the operator's part is its status write alone.
    boolean webhook = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("cnm-operator").get() != null;
    System.out.println("admission webhook: " + (webhook ? "on (the operator writes the status only)" : "off (the operator patches the metadata first)"));
    List<SharedIndexInformer<ConfigMap>> chain = chainControllers(!webhook);
    SharedIndexInformer<GenericKubernetesResource> crFloor = crFloorController();
    try {
      long burst20 = burst(0, 20);
      Samples at20 = samples(20);
      long api0 = lab.cpuMillis("api");
      long daemon0 = lab.cpuMillis("node-daemon-node1");
      long burst480 = burst(20, 500);
      double apiCpu = 100.0 * (lab.cpuMillis("api") - api0) / burst480;
      double daemonCpu = 100.0 * (lab.cpuMillis("node-daemon-node1") - daemon0) / burst480;
      DaemonWork work0 = DaemonWork.read();
      Samples at500 = samples(500);
      DaemonWork work = DaemonWork.read().minus(work0);
      double floorMedian = median(at500.floor);
      System.out.println();
      System.out.println("create -> Ready + Realized, seen on a watch (ms), " + SAMPLES + " endpoints created one at a time:");
      System.out.printf("  %-28s %8s %8s %8s   %s%n", "", "min", "median", "p95", "median split: operator (create->Ready) + daemon (Ready->Realized)");
      at20.print("20 endpoints on the node");
      at500.print("500 endpoints on the node");
      System.out.printf("  %-28s %8.1f %8.1f %8.1f%n", "API floor beside those at 20", min(at20.floor), median(at20.floor), p95(at20.floor));
      System.out.printf("  %-28s %8.1f %8.1f %8.1f%n", "API floor beside those at 500", min(at500.floor), floorMedian, p95(at500.floor));
      System.out.printf("  %-28s %8.1f %8.1f %8.1f   (a custom resource created, one status write)%n", "API floor on a CR beside 500",
          min(at500.crFloor), median(at500.crFloor), p95(at500.crFloor));
      System.out.printf("  %-28s %8.1f %8.1f %8.1f   %.1f + %.1f (the path's requests and watch hops, trivial controllers)%n",
          "API chain beside those at 500", min(at500.chain), median(at500.chain), p95(at500.chain), median(at500.chainFirst),
          median(at500.chainSecond()));
      System.out.printf("ratios: median at 500 / at 20 = %.2f (target <= 1.25); median at 500 / API floor beside them = %.2f (target <= 3)%n",
          median(at500.total) / median(at20.total), median(at500.total) / floorMedian);
      System.out.printf("  median at 500 / the floor on a custom resource (create + one status write) = %.2f; that floor / the "
          + "ConfigMap floor = %.2f%n", median(at500.total) / median(at500.crFloor), median(at500.crFloor) / floorMedian);
      // "The rest" is not all theirs: timestamps along the path (README) found the same requests slower on CnmEndpoints.
      System.out.printf("  what the path's own requests and watch hops take: chain / floor = %.2f; the rest is the operator's and the "
          + "daemon's work and what the API server spends more on CnmEndpoints than on ConfigMaps: median at 500 / chain = %.2f%n",
          median(at500.chain) / floorMedian, median(at500.total) / median(at500.chain));
      System.out.printf("  the daemon's work during the samples at 500 (its /q/metrics): %s%n", work);
      System.out.printf("bursts: 20 endpoints at once, all Realized in %d ms; 480 more at once, all Realized in %d ms (%.1f ms each)%n",
          burst20, burst480, burst480 / 480.0);
      System.out.printf("  CPU during the 480: lab API server + operator %.0f%%, node-daemon %.0f%% (of one core; the machine has %d)%n",
          apiCpu, daemonCpu, Runtime.getRuntime().availableProcessors());
      System.out.printf("after 500 endpoints: node-daemon RSS %d MiB (heap in use %d MiB; JVM options %s), lab API server + operator "
          + "RSS %d MiB%n", lab.rssMiB("node-daemon-node1"), lab.heapUsedMiB("node-daemon-node1"), lab.daemonJvmOptions(), lab.rssMiB("api"));
      String nmt = lab.nativeMemory("node-daemon-node1");
      if (!nmt.isEmpty()) {
        System.out.println("  node-daemon's committed memory by category: " + nmt);
      }
    } finally {
      watch.close();
      floor.close();
      chain.forEach(SharedIndexInformer::close);
      crFloor.close();
    }
  }

  private static void seen(CnmEndpoint e, Map<String, Long> readyAt, Map<String, Long> realizedAt) {
    if (e.getStatus() == null) {
      return;
    }
    long now = System.nanoTime();
    String n = e.getMetadata().getName();
    if (Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY)) {
      readyAt.putIfAbsent(n, now);
    }
    if (Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED)) {
      realizedAt.putIfAbsent(n, now);
    }
  }

  private CnmEndpoint endpoint(String name, int sandbox) {
    return endpoint(name, sandbox, "node1");
  }

  private CnmEndpoint endpoint(String name, int sandbox, String node) {
    return LabAccess.load(client, "apiVersion: cnm.io/v1alpha1\nkind: CnmEndpoint\nmetadata: {name: " + name + "}\nspec:\n  network: bench\n"
        + "  sandbox: {nodeName: " + node + ", netnsPath: /run/netns/cnmlab-b" + sandbox + "}\n");
  }

  /** Endpoints e{from}..e{to-1} created at once; the time until all are realized. */
  private long burst(int from, int to) throws InterruptedException {
    long t0 = System.nanoTime();
    IntStream.range(from, to).parallel().forEach(i -> client.resource(endpoint("e" + i, i)).create());
    await(() -> IntStream.range(from, to).allMatch(i -> realizedAt.containsKey("e" + i)), 600, "burst " + from + ".." + to);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** The endpoints' latencies and, taken between them under the same conditions, the API floor's. */
  record Samples(List<Double> total, List<Double> operator, List<Double> daemon, List<Double> floor, List<Double> chain,
      List<Double> chainFirst, List<Double> crFloor) {
    /** The chain's second controller's part, as the daemon's: from the first's write seen to the second's. */
    List<Double> chainSecond() {
      return IntStream.range(0, chain.size()).mapToObj(i -> chain.get(i) - chainFirst.get(i)).toList();
    }

    void print(String what) {
      System.out.printf("  %-28s %8.1f %8.1f %8.1f   %.1f + %.1f%n", what, min(total), median(total), p95(total), median(operator),
          median(daemon));
    }
  }

  /**
   * What node1's daemon counted (its /q/metrics): difference passes, joins, node-table writes and
   * status writes, each as a count and a sum of seconds, and the passes' seconds by stage. The difference of two
   * readings says where the daemon's part of a sample goes: its own passes (and in them, which
   * stage), or the API around them.
   */
  record DaemonWork(double passes, double passSeconds, double joins, double joinSeconds, double nftWrites, double nftSeconds,
      double statusWrites, double statusSeconds, double statusConflicts, double[] stageSeconds) {
    /** The daemon's PassStage labels, read as text off another process (its classes are not on this bench's class path). */
    static final String[] STAGES = {"desired", "kernel", "firewall", "sandboxes", "report", "resync"};

    static DaemonWork read() throws Exception {
      String s = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:19465/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      double[] stages = new double[STAGES.length];
      for (int i = 0; i < STAGES.length; i++) {
        stages[i] = sample(s, "cnm_daemon_pass_stage_seconds_sum{kind=\"difference\",stage=\"" + STAGES[i] + "\"}");
      }
      return new DaemonWork(sample(s, "cnm_daemon_pass_seconds_count{kind=\"difference\"}"), sample(s, "cnm_daemon_pass_seconds_sum{kind=\"difference\"}"),
          sample(s, "cnm_endpoint_attach_seconds_count{outcome=\"ok\"}"), sample(s, "cnm_endpoint_attach_seconds_sum{outcome=\"ok\"}"),
          sample(s, "cnm_nft_apply_seconds_count"), sample(s, "cnm_nft_apply_seconds_sum"),
          sample(s, "cnm_daemon_status_write_seconds_count"), sample(s, "cnm_daemon_status_write_seconds_sum"),
          sample(s, "cnm_daemon_status_write_conflicts_total"), stages);
    }

    private static double sample(String metrics, String series) {
      double v = LabAccess.sample(metrics, series);
      if (Double.isNaN(v)) {
        throw new IllegalStateException("no " + series + " in the daemon's metrics");
      }
      return v;
    }

    DaemonWork minus(DaemonWork o) {
      return new DaemonWork(passes - o.passes, passSeconds - o.passSeconds, joins - o.joins, joinSeconds - o.joinSeconds,
          nftWrites - o.nftWrites, nftSeconds - o.nftSeconds, statusWrites - o.statusWrites, statusSeconds - o.statusSeconds,
          statusConflicts - o.statusConflicts,
          java.util.stream.IntStream.range(0, STAGES.length).mapToDouble(i -> stageSeconds[i] - o.stageSeconds[i]).toArray());
    }

    @Override
    public String toString() {
      StringBuilder byStage = new StringBuilder();
      for (int i = 0; i < STAGES.length; i++) {
        byStage.append(i == 0 ? "" : ", ").append(STAGES[i]).append(String.format(" %.1f", 1000 * stageSeconds[i] / Math.max(1, passes)));
      }
      return String.format("%.0f difference passes, %.1f ms each on average (by stage, ms: %s); %.0f joins, %.1f ms each; "
          + "%.0f node-table writes, %.1f ms each; %.0f status writes, %.1f ms each (%.0f refused as stale and made again)", passes, 1000 * passSeconds / Math.max(1, passes),
          byStage, joins, 1000 * joinSeconds / Math.max(1, joins), nftWrites, 1000 * nftSeconds / Math.max(1, nftWrites), statusWrites,
          1000 * statusSeconds / Math.max(1, statusWrites), statusConflicts);
    }
  }

  /**
   * One endpoint at a time on sandboxes 500..519 (each deleted again, so the count on the node
   * stays), each after one sample of the API floor: the two see the same API server, in the same
   * state and under the same load, and a slow stretch of the run falls on both.
   */
  private Samples samples(int onNode) throws InterruptedException {
    List<Double> total = new ArrayList<>();
    List<Double> op = new ArrayList<>();
    List<Double> dm = new ArrayList<>();
    List<Double> fl = new ArrayList<>();
    List<Double> ch = new ArrayList<>();
    List<Double> chFirst = new ArrayList<>();
    List<Double> cr = new ArrayList<>();
    for (int k = 0; k < SAMPLES + 3; k++) {
      double floor = floor(onNode + "-" + k);
      Chain chain = chain(onNode + "-" + k);
      double crFloor = crFloor(onNode + "-" + k);
      String name = "s" + onNode + "-" + k;
      long t0 = System.nanoTime();
      client.resource(endpoint(name, 500 + (k % 20))).create();
      await(() -> readyAt.containsKey(name) && realizedAt.containsKey(name), 30, name);
      if (k >= 3) { // the first few warm up the paths
        total.add((Math.max(readyAt.get(name), realizedAt.get(name)) - t0) / 1e6);
        op.add((readyAt.get(name) - t0) / 1e6);
        dm.add(Math.max(0, realizedAt.get(name) - readyAt.get(name)) / 1e6);
        fl.add(floor);
        ch.add(chain.total());
        chFirst.add(chain.first());
        cr.add(crFloor);
      }
      client.resources(CnmEndpoint.class).inNamespace(NS).withName(name).delete();
      // Asked of the API server every millisecond, as in every run the README quotes: waiting on the watch instead
      // gave slower figures throughout, the floor's too (13.8-17.1 ms at 500 in three runs, 7.6-11.2 in the six before).
      await(() -> client.resources(CnmEndpoint.class).inNamespace(NS).withName(name).get() == null, 30, name + " gone");
    }
    return new Samples(total, op, dm, fl, ch, chFirst, cr);
  }

  /** One sample of the floor: a ConfigMap created until the watch sees the trivial controller's write (ms). */
  private double floor(String tag) throws InterruptedException {
    String name = "floor-" + tag;
    long t0 = System.nanoTime();
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("bench", "floor")
        .endMetadata().build()).create();
    await(() -> floorSeen.containsKey(name), 30, name);
    double ms = (floorSeen.get(name) - t0) / 1e6;
    client.configMaps().inNamespace(NS).withName(name).delete();
    return ms;
  }

  /**
   * The endpoint path's API traffic without its work: a ConfigMap created, a first trivial
   * controller writing it (the operator's status), a second writing it once it sees that write
   * (the daemon's status), and the bench seeing the second write on a watch of its own: three
   * requests and two watch hops, as an endpoint's, beside the floor's two and two. Without the
   * operator's admission webhook the first patches the labels before its write, as the operator
   * then does: four requests and three hops.
   */
  private List<SharedIndexInformer<ConfigMap>> chainControllers(boolean patchFirst) {
    SharedIndexInformer<ConfigMap> first = informer("chain", c -> {
      var patched = !patchFirst ? c : client.configMaps().inNamespace(NS).resource(c).patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"labels\":{\"node\":\"node1\"}}}");
      ConfigMap bound = client.getKubernetesSerialization().clone(patched);
      bound.setData(Map.of("bound", "yes"));
      client.configMaps().inNamespace(NS).resource(bound).update();
    }, c -> {});
    SharedIndexInformer<ConfigMap> second = informer("chain", c -> {}, c -> {
      if (has(c, "bound") && !has(c, "realized")) {
        ConfigMap realized = client.getKubernetesSerialization().clone(c);
        realized.setData(Map.of("bound", "yes", "realized", "yes"));
        client.configMaps().inNamespace(NS).resource(realized).update();
      }
    });
    SharedIndexInformer<ConfigMap> observer = informer("chain", c -> {}, c -> {
      if (has(c, "bound")) {
        chainBoundSeen.putIfAbsent(c.getMetadata().getName(), System.nanoTime());
      }
      if (has(c, "realized")) {
        chainSeen.putIfAbsent(c.getMetadata().getName(), System.nanoTime());
      }
    });
    return List.of(first, second, observer);
  }

  private static boolean has(ConfigMap c, String key) {
    return c.getData() != null && c.getData().containsKey(key);
  }

  /**
   * An informer of the ConfigMaps labelled {@code bench=<label>} (the floor's or the chain's):
   * {@code added} on each ADD, {@code updated} with the new object on each UPDATE.
   */
  private SharedIndexInformer<ConfigMap> informer(String label, java.util.function.Consumer<ConfigMap> added,
      java.util.function.Consumer<ConfigMap> updated) {
    return client.configMaps().inNamespace(NS).withLabel("bench", label).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap c) {
        added.accept(c);
      }

      @Override
      public void onUpdate(ConfigMap a, ConfigMap b) {
        updated.accept(b);
      }

      @Override
      public void onDelete(ConfigMap c, boolean unknown) {}
    });
  }

  /**
   * The floor on a custom resource, as the issue words it: on a BenchObject's ADD a trivial
   * controller writes its status once (one request, from its informer's copy); a watch records
   * when that status comes back.
   */
  private SharedIndexInformer<GenericKubernetesResource> crFloorController() {
    return benchObjects().withLabel("bench", "crfloor").inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource o) {
        GenericKubernetesResource handled = client.getKubernetesSerialization().clone(o);
        handled.setAdditionalProperty("status", Map.of("handled", "yes"));
        benchObjects().resource(handled).updateStatus();
      }

      @Override
      public void onUpdate(GenericKubernetesResource a, GenericKubernetesResource b) {
        if (b.getAdditionalProperties().get("status") != null) {
          crFloorSeen.putIfAbsent(b.getMetadata().getName(), System.nanoTime());
        }
      }

      @Override
      public void onDelete(GenericKubernetesResource o, boolean unknown) {}
    });
  }

  /** One sample of the floor on a custom resource (ms). */
  private double crFloor(String tag) throws InterruptedException {
    String name = "crfloor-" + tag;
    GenericKubernetesResource o = new GenericKubernetesResource();
    o.setApiVersion("bench.cnm.io/v1");
    o.setKind("BenchObject");
    o.setMetadata(new ObjectMetaBuilder().withName(name).addToLabels("bench", "crfloor").build());
    o.setAdditionalProperty("spec", Map.of("sample", tag));
    long t0 = System.nanoTime();
    benchObjects().resource(o).create();
    await(() -> crFloorSeen.containsKey(name), 30, name);
    double ms = (crFloorSeen.get(name) - t0) / 1e6;
    benchObjects().withName(name).delete();
    return ms;
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> benchObjects() {
    return client.genericKubernetesResources(BENCH_OBJECTS).inNamespace(NS);
  }

  /** One sample of the chain (ms): until the bench's watch sees the second controller's write, and the first's. */
  record Chain(double total, double first) {}

  /** One sample of the chain: a ConfigMap created until the bench's watch sees the second controller's write. */
  private Chain chain(String tag) throws InterruptedException {
    String name = "chain-" + tag;
    long t0 = System.nanoTime();
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("bench", "chain")
        .endMetadata().build()).create();
    await(() -> chainSeen.containsKey(name), 30, name);
    Chain ms = new Chain((chainSeen.get(name) - t0) / 1e6, (chainBoundSeen.getOrDefault(name, chainSeen.get(name)) - t0) / 1e6);
    client.configMaps().inNamespace(NS).withName(name).delete();
    return ms;
  }

  static void await(java.util.function.BooleanSupplier c, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("not within " + seconds + " s: " + what);
      }
      Thread.sleep(1);
    }
  }

  static double median(List<? extends Number> v) {
    return pct(v, 0.5);
  }

  static double p95(List<? extends Number> v) {
    return pct(v, 0.95);
  }

  static double min(List<? extends Number> v) {
    return pct(v, 0);
  }

  static double pct(List<? extends Number> v, double q) {
    List<Double> s = v.stream().map(Number::doubleValue).sorted().collect(Collectors.toCollection(ArrayList::new));
    Collections.sort(s);
    return s.get((int) Math.min(s.size() - 1, Math.round(q * (s.size() - 1))));
  }
}
