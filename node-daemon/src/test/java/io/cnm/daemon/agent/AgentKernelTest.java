package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.dns.UdpUpstream;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.api.net.Cidr;
import io.cnm.daemon.kernel.Packets;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.Nftables;
import io.cnm.daemon.sysctl.Sysctls;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent end to end on one node: the mock API server holds a network "pets" (10.20.0.0/24,
 * gateway 10.20.0.1, as the operator allocated it) and endpoints "db" (10.20.0.2) and "web"
 * (10.20.0.3) bound to node-1; the agent acts on the test namespace "node".
 */
@Tag("kernel")
class AgentKernelTest {
  static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  KubernetesMockServer server;
  KubernetesClient client;
  TestNamespaces ns;
  NetNamespace node;
  NetNamespace web;
  NetNamespace db;
  Netlink nodeNl;
  Path etcNetns;
  NodeAgent agent;
  io.cnm.daemon.metrics.DaemonMetrics metrics = io.cnm.daemon.metrics.DaemonMetrics.none();
  DnsServer dns;
  UdpUpstream upstream;

  @BeforeEach
  void setUp() throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    // Configured as a node-daemon's client is in a cluster (the API server's URL and a service account's token), so
    // the agent's status writes take the direct path they take there (the mock's own client carries basic auth).
    client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
        io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(server.url("/")).withNamespace("test").withOauthToken("sa-token")
        .build()).build();
    io.cnm.api.crd.Crds.install(client);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("test").endMetadata().build()).create();
    ns = new TestNamespaces();
    node = ns.create("node");
    web = ns.create("web");
    db = ns.create("db");
    nodeNl = RouteNetlink.in(node);
    Sysctls.set(node, "net/ipv4/ip_forward", "1");
    etcNetns = Files.createTempDirectory("cnm-etc-netns");
    createNetwork();
    createEndpoint("db", db, "10.20.0.2");
    createEndpoint("web", web, "10.20.0.3");
  }

  @AfterEach
  void tearDown() {
    stopAgent();
    if (nodeNl != null) {
      nodeNl.close();
    }
    if (ns != null) {
      ns.close();
    }
    if (client != null) {
      client.close();
      server.destroy();
    }
  }

  void startAgent() {
    startAgent(new NftCommand(node.path()));
  }

  void startAgent(Nftables nft) {
    startAgent(nft, ClusterTables.NONE);
  }

  void startAgent(Nftables nft, ClusterTables cluster) {
    startAgent(nft, cluster, d -> d);
  }

  void startAgent(Nftables nft, ClusterTables cluster, java.util.function.UnaryOperator<Drivers> around) {
    AtomicReference<DnsRecords> records = new AtomicReference<>(DnsRecords.EMPTY);
    upstream = new UdpUpstream(List.of(), 500, null);
    dns = new DnsServer(records::get, upstream);
    Drivers drivers = around.apply(Drivers.builtIn(new Sandboxes(nodeNl, NetlinkFactory.kernel()), new Underlay(null, 1500),
        Cidr.parse("172.31.240.0/20")));
    agent = new NodeAgent(client, "node-1", null, nodeNl, drivers, nft, dns, records,
        new PodSandboxes(Path.of("/proc")), etcNetns, cluster, List.of()).nodeNamespace(node).metrics(metrics);
    agent.start();
  }

  /** Stops the agent as a crash would: nothing is cleaned up in the kernel. */
  void stopAgent() {
    if (agent != null) {
      agent.close();
      dns.close();
      upstream.close();
      agent = null;
    }
  }

  void createNetwork() {
    BoundObjects.network(client, "test", "pets", "0123456789ab", "10.20.0.0/24", "10.20.0.1");
  }

  void createEndpoint(String name, NetNamespace sandbox, String ip) {
    BoundObjects.endpoint(client, "test", name, "pets", "node-1", sandbox.path(), Cidr.parse(ip + "/24"), "10.20.0.1",
        List.of(name + "-alias"));
  }

  boolean realized(String name) {
    CnmEndpoint e = client.resources(CnmEndpoint.class).inNamespace("test").withName(name).get();
    return e != null && e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED);
  }

  long ownedLinks(String kind) {
    return nodeNl.links().stream().filter(Owned::ours).filter(l -> kind.equals(l.kind())).count();
  }

  @Test
  void endpoints_areRealized_reachEachOther_andResolveByName() throws Exception {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    CnmEndpoint dbEp = client.resources(CnmEndpoint.class).inNamespace("test").withName("db").get();
    assertThat(dbEp.getStatus().getInterfaceName()).isEqualTo("eth0");
    assertThat(Packets.echo(db, "10.20.0.2", 6000, web, 3000)).isEqualTo("echo hello");
    // A netns sandbox answers to its namespace's name, and the endpoint to its aliases.
    assertThat(io.cnm.daemon.dns.DnsClientAccess.resolve(web, ns.fullName("db"))).containsExactly("10.20.0.2");
    assertThat(io.cnm.daemon.dns.DnsClientAccess.resolve(web, "db-alias")).containsExactly("10.20.0.2");
    assertThat(Files.readString(etcNetns.resolve(ns.fullName("web")).resolve("resolv.conf"))).contains("nameserver 127.0.0.11");
    assertThat(new NftCommand(node.path()).listTable(io.cnm.daemon.nft.Ruleset.TABLE)).contains("masquerade");
  }

  /** Endpoints rs0..rs5 (10.20.0.20-25) in sandboxes of their own: with db and web, the names of the eight sandboxes. */
  List<String> sixMoreSandboxes() {
    List<String> sandboxes = new java.util.ArrayList<>(List.of("db", "web"));
    for (int i = 0; i < 6; i++) {
      createEndpoint("rs" + i, ns.create("rs" + i), "10.20.0." + (20 + i));
      sandboxes.add("rs" + i);
    }
    return sandboxes;
  }

  @Test
  void aResync_checksEveryJoinOverSeveralPasses_andRepairsWhatChangedBehindItsBack() throws Exception {
    List<String> sandboxes = sixMoreSandboxes();
    // Each check made to take 100 ms, so the round lasts long enough to be seen spread (a pass of the real
    // driver alone can take less than one look at the sandboxes' addresses).
    startAgent(new NftCommand(node.path()), ClusterTables.NONE, d -> slowChecks(d, 100, new java.util.concurrent.atomic.AtomicInteger()));
    agent.resyncSlice(0); // one join checked per pass: the round takes a pass per endpoint
    await().atMost(Duration.ofSeconds(20)).until(() -> sandboxes.stream().allMatch(this::realized));
    // Behind the agent's back: every sandbox's address taken away.
    sandboxes.forEach(name -> TestNamespaces.sh("ip", "-n", ns.fullName(name), "addr", "flush", "dev", "eth0"));
    agent.requestResync();
    boolean spread = false;
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (!sandboxes.stream().allMatch(name -> TestNamespaces.sh("ip", "-n", ns.fullName(name), "-4", "addr", "show", "dev", "eth0")
        .contains("10.20.0."))) {
      spread |= agent.resyncLeft() > 0;
      assertThat(System.nanoTime()).as("every address put back by the re-sync").isLessThan(end);
    }
    assertThat(spread).as("the re-sync was spread over passes, not one pass over every join").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.resyncLeft() == 0);
    assertThat(Packets.echo(db, "10.20.0.2", 6002, web, 3002)).isEqualTo("echo hello");
  }

  /**
   * A re-sync's checks never hold a new endpoint's status: the checks of unchanged joins come after
   * a pass's report and stop when an event arrives. The bridge driver is the real one, with every
   * join of an endpoint it joined before (a re-sync's check) made to take 300 ms, and one slice
   * allowed to check the whole round: the new endpoint is Realized while the round has most of its
   * checks still to make, and the round ends after it.
   */
  @Test
  void aNewEndpoint_isRealizedDuringAResync_beforeTheRoundsChecks() throws Exception {
    List<String> sandboxes = sixMoreSandboxes();
    java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
    startAgent(new NftCommand(node.path()), ClusterTables.NONE, d -> slowChecks(d, 300, checks));
    agent.resyncSlice(60_000);
    await().atMost(Duration.ofSeconds(20)).until(() -> sandboxes.stream().allMatch(this::realized));
    assertThat(checks.get()).as("no check before the re-sync").isZero();
    agent.requestResync();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> checks.get() > 0);
    NetNamespace late = ns.create("late");
    createEndpoint("late", late, "10.20.0.40");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> realized("late"));
    assertThat(checks.get()).as("checks made when the new endpoint was Realized, of the round's " + sandboxes.size())
        .isLessThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(20)).until(() -> checks.get() == sandboxes.size() && agent.resyncLeft() == 0);
    assertThat(Packets.echo(db, "10.20.0.2", 6003, late, 3000)).isEqualTo("echo hello");
  }

  /** The drivers, the bridge's join of an endpoint it joined before (a re-sync's check) taking {@code millis}, counted. */
  static Drivers slowChecks(Drivers drivers, long millis, java.util.concurrent.atomic.AtomicInteger checks) {
    io.cnm.daemon.driver.Driver bridge = drivers.get("bridge").orElseThrow();
    java.util.Set<String> joinedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    io.cnm.daemon.driver.Driver slow = (io.cnm.daemon.driver.Driver) java.lang.reflect.Proxy.newProxyInstance(
        io.cnm.daemon.driver.Driver.class.getClassLoader(), new Class<?>[] {io.cnm.daemon.driver.Driver.class}, (proxy, m, args) -> {
          if (m.getName().equals("join") && !joinedOnce.add(((io.cnm.daemon.driver.EndpointInfo) args[1]).key())) {
            checks.incrementAndGet();
            Thread.sleep(millis);
          }
          try {
            return m.invoke(bridge, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return new Drivers(List.of(slow));
  }

  @Test
  void restartedAgent_adoptsWhatIsThere_andAnOpenConnectionSurvives() throws Exception {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    ServerSocket ss = db.run(() -> {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress("10.20.0.2", 6001));
      return s;
    });
    Socket client1 = web.run(() -> {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("10.20.0.2", 6001), 3000);
      return s;
    });
    try (ss; client1; Socket accepted = ss.accept()) {
      accepted.setSoTimeout(3000);
      roundTrip(client1, accepted, "before");
      stopAgent();
      startAgent();
      await().atMost(Duration.ofSeconds(20)).until(() -> agent.converged());
      roundTrip(client1, accepted, "after");
    }
    assertThat(ownedLinks("veth")).isEqualTo(2);
    assertThat(ownedLinks("bridge")).isEqualTo(1);
  }

  /**
   * The daemon's own status writes coming back as events start no pass (each would walk every
   * endpoint of the node); a change from the operator or a user does, at once.
   */
  @Test
  void theDaemonsOwnWritesStartNoPass_butTheOperatorsDo() throws Exception {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    metrics = new io.cnm.daemon.metrics.DaemonMetrics(registry);
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    java.util.function.LongSupplier passes = () -> registry.find("cnm.daemon.pass").tag("kind", "difference").timer().count();
    Thread.sleep(300);
    long before = passes.getAsLong();
    for (int i = 0; i < 5; i++) {
      CnmEndpoint web = client.resources(CnmEndpoint.class).inNamespace("test").withName("web").get();
      io.cnm.api.status.EndpointStatusOwners.writeDaemonPart(client, web, true, "Realized", "eth0 in the sandbox, write " + i, "eth0");
      Thread.sleep(100);
    }
    Thread.sleep(300);
    assertThat(passes.getAsLong() - before).as("passes after five writes of the daemon's part (the periodic one may fall in)")
        .isLessThanOrEqualTo(1);
    long quiet = passes.getAsLong();
    client.resources(CnmEndpoint.class).inNamespace("test").withName("web")
        .edit(e -> {
          e.getSpec().setAliases(List.of("web-alias", "www"));
          return e;
        });
    await().atMost(Duration.ofSeconds(2)).until(() -> passes.getAsLong() > quiet);
    await().atMost(Duration.ofSeconds(5)).until(() -> io.cnm.daemon.dns.DnsClientAccess.resolve(db, "www").contains("10.20.0.3"));
  }

  /**
   * Where passes spend their time, by stage, on /q/metrics: every pass records each stage once,
   * the stages add up to the pass, and the pass that joined the endpoints spent time in the kernel
   * and in its report (the status writes, timed on their own too).
   */
  @Test
  void passStages_addUpToThePasses_andTheJoiningPassShowsKernelAndReport() throws Exception {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    metrics = new io.cnm.daemon.metrics.DaemonMetrics(registry);
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    stopAgent();
    Thread.sleep(500); // a pass still running when the agent stopped has ended: no pass runs while the meters are read
    for (String kind : List.of("full", "difference")) {
      var pass = registry.find("cnm.daemon.pass").tag("kind", kind).timer();
      double stagesSum = 0;
      for (var st : io.cnm.daemon.metrics.DaemonMetrics.PassStage.values()) {
        var t = registry.find("cnm.daemon.pass.stage").tag("kind", kind).tag("stage", st.label()).timer();
        assertThat(t.count()).as(kind + " " + st.label() + " recorded once a pass").isEqualTo(pass.count());
        stagesSum += t.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS);
      }
      assertThat(stagesSum).as(kind + ": the stages add up to the passes").isCloseTo(pass.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS),
          org.assertj.core.data.Offset.offset(1.0));
    }
    double kernel = 0;
    double report = 0;
    for (String kind : List.of("full", "difference")) {
      kernel += registry.find("cnm.daemon.pass.stage").tag("kind", kind).tag("stage", "kernel").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS);
      report += registry.find("cnm.daemon.pass.stage").tag("kind", kind).tag("stage", "report").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    assertThat(kernel).as("the joins' kernel work").isGreaterThan(0);
    assertThat(report).as("the status writes").isGreaterThan(0);
    var writes = registry.find("cnm.daemon.status.write").timer();
    assertThat(writes.count()).as("one Realized written for each of db and web").isGreaterThanOrEqualTo(2);
    assertThat(writes.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).as("the writes' time, within the report's").isGreaterThan(0)
        .isLessThanOrEqualTo(report);
    assertThat(registry.find("cnm.daemon.status.write.conflicts").counter().count())
        .as("no write from a stale copy: nothing else writes these endpoints' status").isZero();
    assertThat(registry.find("cnm.daemon.status.write.via.client").functionCounter().count())
        .as("every status write made directly").isZero();
  }

  /**
   * A difference pass takes a joined sandbox as there without a stat, and a Realized it found
   * already said on that very object as said: a sandbox that goes is still let go within about a
   * second while passes keep running, and a Realized someone else turned False is written back.
   */
  @Test
  void aJoinedSandboxThatGoes_isLetGoSoon_andARealizedSomeoneTurnedFalse_isWrittenBack() throws Exception {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    Thread.sleep(300); // passes that found both statuses already said
    CnmEndpoint web = client.resources(CnmEndpoint.class).inNamespace("test").withName("web").get();
    io.cnm.api.status.EndpointStatusOwners.writeDaemonPart(client, web, false, "Tampered", "not the daemon's word", null);
    assertThat(realized("web")).isFalse();
    await().atMost(Duration.ofSeconds(15)).until(() -> realized("web")); // at the next tick (an own-part change starts no pass)

    ns.delete("db");
    long t0 = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
      agent.trigger(); // passes keep running meanwhile
      return ownedLinks("veth") == 1 && !realized("db");
    });
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the gone sandbox's interface was let go").isLessThan(3000);
    assertThat(realized("web")).isTrue();
  }

  /**
   * The operator labels an endpoint before it binds it: the daemon opens the sandbox's DNS socket
   * then, off the pass that joins it, keeps it through passes meanwhile, and writes resolv.conf
   * with the join.
   */
  @Test
  void aNewSandboxsDnsSocket_isOpenedBeforeTheOperatorBindsIt_andKeptUntilTheJoin() throws Exception {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    NetNamespace cat = ns.create("cat");
    CnmEndpoint e = BoundObjects.labelled(client, "test", "cat", "pets", "node-1", cat.path(), List.of()); // not bound yet
    await().atMost(Duration.ofSeconds(5)).until(() -> io.cnm.daemon.dns.DnsClientAccess.resolve(cat, "db") != null);
    NodeAgent.PassStats before = agent.lastPass();
    agent.trigger();
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.lastPass() != before);
    assertThat(io.cnm.daemon.dns.DnsClientAccess.resolve(cat, "db")).as("kept through a pass while it waits").isNotNull();
    assertThat(etcNetns.resolve(ns.fullName("cat")).resolve("resolv.conf")).doesNotExist();

    BoundObjects.bind(client, e, "node-1", Cidr.parse("10.20.0.4/24"), "10.20.0.1");
    await().atMost(Duration.ofSeconds(10)).until(() -> realized("cat"));
    assertThat(io.cnm.daemon.dns.DnsClientAccess.resolve(cat, "db")).containsExactly("10.20.0.2");
    assertThat(Files.readString(etcNetns.resolve(ns.fullName("cat")).resolve("resolv.conf"))).contains("nameserver 127.0.0.11");
  }

  @Test
  void deletedEndpoints_leaveNothingBehind() {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    client.resources(CnmEndpoint.class).inNamespace("test").withName("db").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> ownedLinks("veth") == 1);
    assertThat(ownedLinks("bridge")).isEqualTo(1);
    client.resources(CnmEndpoint.class).inNamespace("test").withName("web").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> ownedLinks("veth") == 0 && ownedLinks("bridge") == 0);
  }

  /**
   * A deletion that goes well says Released on the endpoint and is no warning (it used to make a
   * Warning Event per deleted endpoint); an endpoint that cannot be realized still makes one.
   */
  @Test
  void aReleasedEndpoint_makesNoWarningEvent_butOneThatCannotBeRealizedDoes() {
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    client.resources(CnmEndpoint.class).inNamespace("test").withName("db").edit(e -> {
      e.getMetadata().setFinalizers(List.of("cnm.io/test-hold")); // as the operator's: held until the daemon has said Released
      return e;
    });
    client.resources(CnmEndpoint.class).inNamespace("test").withName("db").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      CnmEndpoint e = client.resources(CnmEndpoint.class).inNamespace("test").withName("db").get();
      return Conditions.find(e.getStatus().getConditions(), Conditions.REALIZED)
          .filter(c -> io.cnm.api.status.EndpointStatusOwners.RELEASED.equals(c.getReason())).isPresent();
    });
    BoundObjects.endpoint(client, "test", "ghost", "pets", "node-1", "/run/netns/cnmtest-no-such-sandbox", Cidr.parse("10.20.0.9/24"),
        "10.20.0.1", List.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> warnings().contains("ghost SandboxNotFound"));
    assertThat(warnings()).noneMatch(w -> w.startsWith("db "));
  }

  /** The Warning Events in the test namespace, as "object reason". */
  List<String> warnings() {
    return client.v1().events().inNamespace("test").list().getItems().stream().filter(e -> "Warning".equals(e.getType()))
        .map(e -> e.getInvolvedObject().getName() + " " + e.getReason()).toList();
  }

  @Test
  void aFailingNodeTable_stopsNothingElse_isRetriedWithGrowingPauses_andRecovers() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
    List<Long> failedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    NftCommand real = new NftCommand(node.path());
    startAgent(new Nftables() {
      @Override
      public void apply(String transaction) {
        if (broken.get()) {
          failedAt.add(System.nanoTime());
          throw new IllegalStateException("nft: Operation not permitted");
        }
        real.apply(transaction);
      }

      @Override
      public String listTable(String table) {
        return real.listTable(table);
      }
    });
    // The endpoints are realized all the same, and the node stays ready: one failing step is not a failed node.
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db") && realized("web"));
    assertThat(agent.ready()).isTrue();
    await().atMost(Duration.ofSeconds(15)).until(() -> failedAt.size() >= 4);
    List<Long> gaps = new java.util.ArrayList<>();
    for (int i = 1; i < 4; i++) {
      gaps.add((failedAt.get(i) - failedAt.get(i - 1)) / 1_000_000);
    }
    // 0.5 s, 1 s, 2 s...: each pause at least about half again the one before (a fixed retry would not be).
    assertThat(gaps.get(1)).isGreaterThan(gaps.get(0) * 3 / 2);
    assertThat(gaps.get(2)).isGreaterThan(gaps.get(1) * 3 / 2);
    broken.set(false);
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      try {
        return real.listTable("cnm").contains("table inet cnm");
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  @Test
  void passesThatKeepFailingWhole_makeTheNodeUnready_untilOneRunsThrough() {
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(false);
    ClusterTables flaky = new ClusterTables() {
      @Override
      public java.util.Map<String, List<EndpointRecord>> endpoints() {
        if (broken.get()) {
          throw new IllegalStateException("gossip tables unreadable");
        }
        return java.util.Map.of();
      }

      @Override
      public void publish(java.util.Map<String, java.util.Map<String, EndpointRecord>> endpoints,
          java.util.Map<String, java.util.Map<String, ServiceBackendRecord>> backends) {}

      @Override
      public void onChange(Runnable listener) {}
    };
    startAgent(new NftCommand(node.path()), flaky);
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.ready() && realized("db"));
    broken.set(true);
    agent.requestResync();
    await().atMost(Duration.ofSeconds(20)).until(() -> !agent.ready());
    assertThat(agent.failedPasses()).isGreaterThanOrEqualTo(3);
    assertThat(agent.lastPassError()).contains("gossip tables unreadable");
    broken.set(false);
    await().atMost(Duration.ofSeconds(40)).until(() -> agent.ready());
    assertThat(agent.failedPasses()).isZero();
  }

  @Test
  void aPortPublishedOnLocalhost_works_withRouteLocalnetOnItsBridgeOnly() throws Exception {
    CnmEndpoint db = client.resources(CnmEndpoint.class).inNamespace("test").withName("db").get();
    io.cnm.api.v1alpha1.PortBinding p = new io.cnm.api.v1alpha1.PortBinding();
    p.setContainerPort(7600);
    p.setHostPort(8600);
    db.getSpec().setPorts(List.of(p));
    client.resource(db).update();
    startAgent();
    await().atMost(Duration.ofSeconds(20)).until(() -> realized("db"));
    await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(sysctl("net/ipv4/conf/br-0123456789ab/route_localnet")));
    assertThat(sysctl("net/ipv4/conf/all/route_localnet")).isEqualTo("0");
    assertThat(sysctl("net/ipv4/conf/lo/route_localnet")).isEqualTo("0");
    assertThat(Packets.echoVia(this.db, "10.20.0.2", 7600, node, "127.0.0.1", 8600, 3000)).isEqualTo("echo hello");
  }

  String sysctl(String path) {
    return TestNamespaces.sh("ip", "netns", "exec", ns.fullName("node"), "cat", "/proc/sys/" + path).trim();
  }

  static void roundTrip(Socket client, Socket server, String word) throws Exception {
    OutputStream out = client.getOutputStream();
    out.write(word.getBytes());
    out.flush();
    InputStream in = server.getInputStream();
    byte[] buf = new byte[64];
    int n = in.read(buf);
    assertThat(new String(buf, 0, n)).isEqualTo(word);
  }
}
