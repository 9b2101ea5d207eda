package io.cnm.daemon.agent;

import io.cnm.api.status.Conditions;
import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.dns.NetnsResolvConf;
import io.cnm.daemon.dns.SandboxResolvers;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.DriverException;
import io.cnm.daemon.driver.NodeAddress;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.encryption.NodeEncryption;
import io.cnm.daemon.kube.DirectStatusPut;
import io.cnm.daemon.lb.Balancer;
import io.cnm.daemon.lb.SandboxBalancers;
import io.cnm.daemon.metrics.DaemonMetrics;
import io.cnm.daemon.metrics.DaemonMetrics.PassStage;
import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.Nftables;
import io.cnm.daemon.nft.NodeFirewall;
import io.cnm.daemon.nft.Ruleset;
import io.cnm.daemon.sysctl.Sysctls;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The node-daemon's control loop. Watches the endpoints bound to this node (label cnm.io/node),
 * networks and services, and the gossip's endpoint table; on any change it recomputes
 * {@link DesiredState} and applies the differences from what it applied last, on one thread: a
 * changed network, a new or changed endpoint, the peers of one overlay. Then the nftables table
 * and the embedded DNS (each replaced only when they differ), the records this node gossips, and
 * each endpoint's Realized condition. A periodic re-sync applies everything once more, sweeps
 * leftovers and so repairs drift; every step checks before it acts, so a restarted daemon adopts
 * what is there and open connections keep flowing.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeAgent.class);
  /** Node annotation read by the operator's IPAM (io.cnm.operator.recovery.NodeSubnets). */
  public static final String HOST_SUBNETS = "cnm.io/host-subnets";

  private final KubernetesClient client;
  /** The daemon's status writes: one blocking request each, on the pass's own thread. */
  private final DirectStatusPut<CnmEndpoint> statusPut;
  private final String node;
  private final IpAddress vtep;
  private final Netlink nodeNetlink;
  private final Drivers drivers;
  private final Nftables nft;
  private final AtomicReference<DnsRecords> records;
  private final PodSandboxes podSandboxes;
  private final SandboxResolvers resolvers;
  private final ClusterTables cluster;
  private final List<Cidr> reservedSubnets;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cnm-agent");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pending = new AtomicBoolean();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  // What was applied, so that a pass touches only what differs.
  private final Map<String, NetworkInfo> built = new HashMap<>();
  private final Map<String, Applied> joined = new HashMap<>();
  private final DesiredState.Memo memo = new DesiredState.Memo();
  private final Map<String, Set<Peer>> appliedPeers = new HashMap<>();
  /** Endpoints whose join failed, with the inputs it failed with (the same inputs wait for their back-off). */
  private final Map<String, Applied> failedJoins = new HashMap<>();
  /** Networks whose setup failed, with the inputs and the error (the same inputs wait for their back-off). */
  private final Map<String, Map.Entry<NetworkInfo, RuntimeException>> failedNetworks = new HashMap<>();
  private SandboxBalancers balancers = SandboxBalancers.kernel();
  private SharedIndexInformer<CnmNetwork> networks;
  private SharedIndexInformer<CnmEndpoint> endpoints;
  private SharedIndexInformer<CnmService> services;
  private SharedIndexInformer<Pod> pods;
  private String appliedRuleset;
  private NetNamespace nodeNamespace;
  /** Bridges whose route_localnet this daemon set. */
  private final Set<String> localnetSet = new HashSet<>();
  private volatile boolean converged;
  /** A full pass has removed the links no wanted endpoint names (what a previous life left included). */
  private boolean leftoversRemoved;
  /** Joined sandboxes whose namespace path is gone, as last seen by the once-a-second look. */
  private final Set<String> vanished = new HashSet<>();
  /** The sandboxes this pass may take as existing without a stat: the joined ones, but none in a full pass. */
  private Set<String> knownSandboxes = Set.of();
  /** Endpoints (this object of each) whose status already says Realized with this interface: not looked at again. */
  private Map<CnmEndpoint, String> confirmed = new java.util.IdentityHashMap<>();
  private final ProblemLog problems = new ProblemLog(ProblemLog.Sink.of(LOG), () -> System.nanoTime() / 1_000_000);
  private final RetryBackoff retry = new RetryBackoff(500, 30_000);
  private int stagesFailed;
  private volatile long passStarted;
  private volatile int failedPasses;
  private volatile String lastPassError;
  private volatile boolean resyncDue = true;
  private long resyncMillis = 60_000;
  /**
   * The joins a re-sync has still to check in the kernel, by key; each pass checks them for at
   * most {@link #verifySliceNanos}, after its other work, so a re-sync over hundreds of endpoints
   * is spread over passes instead of holding a new endpoint behind it for seconds.
   */
  private final Set<String> toVerify = new HashSet<>();
  /** {@code toVerify}'s size at the end of the last pass, for other threads. */
  private volatile int resyncLeftNow;
  private volatile long verifySliceNanos = TimeUnit.MILLISECONDS.toNanos(25);
  private volatile PassStats lastPass = new PassStats(0, 0, 0, 0, false);
  private volatile PassStats lastWork = lastPass;
  private DaemonMetrics metrics = DaemonMetrics.none();
  private NodeEncryption encryption = NodeEncryption.unavailable("this node-daemon was started without encryption");
  /** How long after a start the balancers of sandboxes on cluster networks wait for the gossip's first sync. */
  static final long GOSSIP_GRACE_MILLIS = 10_000;
  private final long startedNanos = System.nanoTime();

  /** Why an endpoint could not be joined: the condition's reason and message. */
  private record Failure(String reason, String message) {}

  /** An endpoint as joined: the inputs it was joined with and the interface it got. */
  private record Applied(NetworkInfo network, EndpointInfo info, String ifname) {}

  /** An endpoint as this node joined it, for `kubectl cnm debug`: where its sandbox is and what it got there. */
  public record JoinedEndpoint(String key, String network, String driver, String netnsPath, String ifname, String ipv4, String mac,
      Map<String, List<IpAddress>> dnsNames) {}

  /** How much a pass did and how long it took; read by tests and the pass benchmark. */
  public record PassStats(int joins, int leaves, int networkChanges, long nanos, boolean full) {}

  /**
   * @param vtep the node's underlay address, published in its gossip records (null without a cluster)
   * @param reservedSubnets subnets the daemon itself uses on the node (the gwbridge), reported with the node's own
   * @param etcNetns where resolv.conf files of named-netns sandboxes go (/etc/netns), read by ip netns exec
   */
  public NodeAgent(KubernetesClient client, String node, IpAddress vtep, Netlink nodeNetlink, Drivers drivers, Nftables nft,
      DnsServer dnsServer, AtomicReference<DnsRecords> records, PodSandboxes pods, Path etcNetns, ClusterTables cluster,
      List<Cidr> reservedSubnets) {
    this.client = client;
    this.statusPut = new DirectStatusPut<>(client, CnmEndpoint.class);
    this.node = node;
    this.vtep = vtep;
    this.nodeNetlink = nodeNetlink;
    this.drivers = drivers;
    this.nft = nft;
    this.records = records;
    this.podSandboxes = pods;
    this.resolvers = new SandboxResolvers(dnsServer, new NetnsResolvConf(etcNetns), 53);
    this.cluster = cluster;
    this.reservedSubnets = List.copyOf(reservedSubnets);
  }

  /** The node's namespace, where per-bridge sysctls (route_localnet) are set; none in tests that do not publish on localhost. */
  public NodeAgent nodeNamespace(NetNamespace ns) {
    this.nodeNamespace = ns;
    return this;
  }

  /** Where the sandboxes' load balancers are written (tests pass their own). */
  public NodeAgent balancers(SandboxBalancers balancers) {
    this.balancers = balancers;
    return this;
  }

  /** Where attach, detach, pass and node-table timings and the endpoint counts go (default: nowhere). */
  public NodeAgent metrics(DaemonMetrics metrics) {
    this.metrics = metrics;
    metrics.statusWritesViaClient(statusPut);
    return this;
  }

  /** How this node encrypts encrypted overlays (the same the overlay driver was given). */
  public NodeAgent encryption(NodeEncryption e) {
    this.encryption = e;
    return this;
  }

  /** The interval of full re-syncs (default 60 s). */
  public NodeAgent resyncEvery(long millis) {
    this.resyncMillis = millis;
    return this;
  }

  /** How long a pass may spend checking unchanged joins for a re-sync (default 25 ms). */
  public NodeAgent resyncSlice(long millis) {
    this.verifySliceNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    return this;
  }

  /** How many joins the re-sync under way has still to check (0: none under way). */
  public int resyncLeft() {
    return resyncLeftNow;
  }

  public void start() {
    networks = client.resources(CnmNetwork.class).inAnyNamespace().inform(passOn(o -> true, (a, b) -> true, (o, u) -> true));
    endpoints = client.resources(CnmEndpoint.class).inAnyNamespace().withLabel(CnmEndpoint.NODE_LABEL, node)
        .inform(passOn(this::endpointAdded, AgentEvents::matters, AgentEvents::mattersGone));
    services = client.resources(CnmService.class).inAnyNamespace().inform(passOn(o -> true, (a, b) -> true, (o, u) -> true));
    // This node's pods, for their UIDs (a pod sandbox is found from its UID); a pod appearing re-runs the pass.
    pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).inform(passOn(o -> true, AgentEvents::matters, (o, u) -> true));
    informers.addAll(List.of(networks, endpoints, services, pods));
    cluster.onChange(this::trigger);
    // Without events nothing would notice a sandbox that vanished, so look again now and then;
    // and now and then re-apply everything, which repairs what someone changed behind our back.
    loop.scheduleWithFixedDelay(this::trigger, 10, 10, TimeUnit.SECONDS);
    loop.scheduleWithFixedDelay(() -> {
      if (sandboxVanished()) {
        trigger();
      }
    }, 1, 1, TimeUnit.SECONDS);
    loop.scheduleWithFixedDelay(() -> {
      resyncDue = true;
      trigger();
    }, resyncMillis, resyncMillis, TimeUnit.MILLISECONDS);
    trigger();
    loop.execute(this::reportHostSubnets);
  }

  /**
   * Tells the operator's IPAM which subnets the node itself uses (annotation cnm.io/host-subnets
   * on its Node), leaving out what the daemon built but adding what it reserves (the gwbridge).
   * Nothing to do where there is no Node object.
   */
  private void reportHostSubnets() {
    try {
      List<String> subnets = new ArrayList<>();
      for (Link l : nodeNetlink.links()) {
        if (!"lo".equals(l.name()) && !Owned.ours(l)) {
          nodeNetlink.addresses(l.name()).stream().filter(c -> c.family() == 4 || !c.address().toString().startsWith("fe80"))
              .forEach(c -> subnets.add(c.masked().toString()));
        }
      }
      reservedSubnets.forEach(c -> subnets.add(c.masked().toString()));
      String value = String.join(",", subnets.stream().distinct().sorted().toList());
      var nodes = client.nodes().withName(node);
      if (nodes.get() != null) {
        nodes.edit(n -> {
          n.getMetadata().getAnnotations().put(HOST_SUBNETS, value);
          return n;
        });
      }
    } catch (RuntimeException e) {
      // The operator's IPAM then cannot keep networks off this node's own subnets: an RBAC mistake must be visible.
      LOG.warnf("host subnets of node %s not reported on its Node (annotation %s): %s", node, HOST_SUBNETS, e.getMessage());
    }
  }

  /** Starts a pass on an informer's events that matter: an addition, a change, a deletion (with whether its final state is unknown). */
  private <T> ResourceEventHandler<T> passOn(java.util.function.Predicate<T> added, java.util.function.BiPredicate<T, T> changed,
      java.util.function.BiPredicate<T, Boolean> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        if (added.test(o)) {
          trigger();
        }
      }

      @Override
      public void onUpdate(T before, T after) {
        if (changed.test(before, after)) {
          trigger();
        }
      }

      @Override
      public void onDelete(T o, boolean unknown) {
        if (gone.test(o, unknown)) {
          trigger();
        }
      }
    };
  }

  /** True once a pass has completed since start. */
  public boolean converged() {
    return converged;
  }

  /**
   * Ready: a pass ran to its end (not one that waited for the informers), and passes are not
   * failing whole, three in a row. One endpoint that cannot be realized does not make the node
   * unready; its condition says why.
   */
  public boolean ready() {
    return converged && failedPasses < 3;
  }

  /** Passes in a row that failed whole, and the last one's error (null when the last pass ran through). */
  public int failedPasses() {
    return failedPasses;
  }

  public String lastPassError() {
    return lastPassError;
  }

  /** How long the pass now running has been running (0 when none is): a loop stuck in the kernel or the API shows here. */
  public long passRunningMillis() {
    long started = passStarted;
    return started == 0 ? 0 : (System.nanoTime() - started) / 1_000_000;
  }

  /** What the last pass did. */
  public PassStats lastPass() {
    return lastPass;
  }

  /** The last pass that joined, left or changed something. */
  public PassStats lastWork() {
    return lastWork;
  }

  /** Makes the next pass a full re-sync (as the periodic one). */
  public void requestResync() {
    resyncDue = true;
    trigger();
  }

  public void trigger() {
    if (pending.compareAndSet(false, true)) {
      loop.execute(this::pass); // at once: events arriving during the pass set pending again and coalesce into one next pass
    }
  }

  /**
   * One pass, and when to look again: at once when nothing failed; after a back-off (doubling,
   * capped) when something did, whether one endpoint or the whole pass.
   */
  private void pass() {
    pending.set(false);
    passStarted = System.nanoTime();
    try {
      Boolean clean = reconcile();
      if (clean == null) {
        return; // not synced yet: looked at again shortly, without counting as a pass
      }
      failedPasses = 0;
      lastPassError = null;
      converged = true;
      retry.succeeded();
      if (!clean) {
        // Again when the first failing thing is due (each has its own back-off).
        long due = problems.untilNextDue();
        loop.schedule(this::trigger, Math.max(50, due < 0 ? ProblemLog.FIRST_RETRY_MILLIS : due), TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      failedPasses++;
      lastPassError = String.valueOf(e.getMessage());
      problems.failed("node " + node + ": the pass", e.toString(), e);
      problems.abandonPass();
      resyncDue = true;
      loop.schedule(this::trigger, retry.failed(), TimeUnit.MILLISECONDS);
    } finally {
      passStarted = 0;
    }
  }

  /** @return null when not synced yet; else whether nothing failed */
  private Boolean reconcile() {
    if (pods == null || !networks.hasSynced() || !endpoints.hasSynced() || !services.hasSynced()) {
      // Not started yet (a gossip change can arrive before every informer exists), or not synced.
      loop.schedule(this::trigger, 200, TimeUnit.MILLISECONDS);
      return null;
    }
    PassClock clock = new PassClock();
    boolean full = resyncDue;
    resyncDue = false;
    knownSandboxes = full ? Set.of() : joinedSandboxes();
    DesiredState d = DesiredState.compute(node, vtep, api(), drivers, this::sandboxPath,
        new DesiredState.Gossip(cluster.endpoints(), cluster.serviceBackends()), memo);
    clock.lap(PassStage.DESIRED);
    int networkChanges = 0;
    int joins = 0;
    int leaves = 0;
    stagesFailed = 0;
    Map<String, RuntimeException> networkFailed = new HashMap<>();
    for (NetworkInfo n : d.networks().values()) {
      NetworkInfo had = built.get(n.key());
      if (full || !n.equals(had)) {
        Map.Entry<NetworkInfo, RuntimeException> lastFailure = failedNetworks.get(n.key());
        if (lastFailure != null && lastFailure.getKey().equals(n) && !problems.due("network " + n.key())) {
          problems.waiting("network " + n.key()); // failed with these inputs a moment ago: its back-off has not passed
          networkFailed.put(n.key(), lastFailure.getValue());
          continue;
        }
        try {
          drivers.get(n.driver()).orElseThrow().ensureNetwork(n);
          built.put(n.key(), n);
          failedNetworks.remove(n.key());
          networkChanges++;
        } catch (RuntimeException e) {
          built.remove(n.key());
          networkFailed.put(n.key(), e);
          failedNetworks.put(n.key(), Map.entry(n, e));
          problems.failed("network " + n.key(), e.getMessage(), e);
        }
      }
    }
    Set<String> wantedEndpoints = new HashSet<>(2 * d.joins().size());
    d.joins().forEach(j -> wantedEndpoints.add(j.info().key()));
    if (full) {
      toVerify.clear();
      toVerify.addAll(wantedEndpoints); // a new round: every join is checked again, a slice per pass
    }
    for (var it = joined.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wantedEndpoints.contains(e.getKey())) {
        Applied a = e.getValue();
        try {
          long l0 = System.nanoTime();
          drivers.get(a.network().driver()).ifPresent(dr -> dr.leave(a.network(), a.info()));
          metrics.detached(System.nanoTime() - l0);
          it.remove();
          leaves++;
        } catch (RuntimeException x) {
          stagesFailed++; // kept as joined: the next pass leaves it again
          problems.failed("endpoint " + e.getKey() + " (leaving)", x.getMessage(), x);
        }
      }
    }
    // By identity: an API object's own hashCode walks all of it. Sized for this node's endpoints: grown from
    // empty, the map would rehash them all several times in every pass.
    Map<CnmEndpoint, String> realized = new java.util.IdentityHashMap<>(d.joins().size());
    Map<CnmEndpoint, Failure> failed = new java.util.IdentityHashMap<>();
    List<DesiredState.Join> unchangedToCheck = new ArrayList<>();
    for (DesiredState.Join j : d.joins()) {
      RuntimeException netProblem = networkFailed.get(j.network().key());
      if (netProblem != null) {
        failed.put(j.endpoint(), new Failure(DriverException.reasonOf(netProblem, "JoinFailed"), "network " + j.network().name()
            + " could not be set up: " + netProblem.getMessage()));
        continue;
      }
      Applied a = joined.get(j.info().key());
      if (a != null && a.network().equals(j.network()) && a.info().equals(j.info())) {
        realized.put(j.endpoint(), a.ifname());
        if (toVerify.contains(j.info().key())) {
          unchangedToCheck.add(j); // after the pass's report (verifySlice)
        }
        continue;
      }
      toVerify.remove(j.info().key()); // joined or repaired just now: nothing left for the re-sync to check
      if (join(j, a, realized, failed)) {
        joins++;
      }
    }
    clock.lap(PassStage.KERNEL);
    // Encryption, then the node's table (isolation, masquerade, published ports, the encrypted VNIs marked and
    // guarded), both before any peer is programmed: a VXLAN datagram of an encrypted overlay never finds a way out
    // in the clear, not even for the moment between the peers' entries and the rules that catch them.
    boolean encrypting = stage("encryption (" + encryption.path().label + ")",
        () -> encryption.apply(!d.encryptedVnis().isEmpty(), cluster.keys(), d.encryptedPeers())) && encryption.active();
    NodeFirewall firewall = NodeFirewalls.of(d, drivers, encryption.device());
    String ruleset = Ruleset.render(firewall);
    if (full || !ruleset.equals(appliedRuleset)) {
      stage("node table inet cnm", () -> {
        long n0 = System.nanoTime();
        nft.apply(ruleset);
        metrics.nftApplied(System.nanoTime() - n0);
        appliedRuleset = ruleset; // kept as applied only once written
      });
    }
    clock.lap(PassStage.FIREWALL);
    boolean guarded = ruleset.equals(appliedRuleset);
    for (var e : d.peers().entrySet()) {
      NetworkInfo n = d.networks().get(e.getKey());
      if (n != null && n.flag(OverlayDriver.ENCRYPTED, false) && !(encrypting && guarded)) {
        continue; // its peers wait for the ESP path and the rules that send it there
      }
      if (n != null && built.containsKey(n.key()) && cluster.synced(n.networkId()) && (full || !e.getValue().equals(appliedPeers.get(n.key())))) {
        Set<Peer> before = appliedPeers.getOrDefault(n.key(), Set.of());
        try {
          drivers.get(n.driver()).orElseThrow().setPeers(n, e.getValue());
        } catch (RuntimeException x) {
          stagesFailed++;
          problems.failed("peers of network " + n.key(), x.getMessage(), x);
          continue;
        }
        appliedPeers.put(n.key(), e.getValue());
        if (LOG.isDebugEnabled()) {
          LOG.debugf("peers of %s: %d now, %d added, %d removed", n.key(), e.getValue().size(),
              e.getValue().stream().filter(p -> !before.contains(p)).count(), before.stream().filter(p -> !e.getValue().contains(p)).count());
        }
      }
    }
    for (var it = built.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!d.networks().containsKey(e.getKey())) {
        try {
          drivers.get(e.getValue().driver()).ifPresent(dr -> dr.removeNetwork(e.getValue()));
        } catch (RuntimeException x) {
          stagesFailed++; // kept as built: the next pass removes it again
          problems.failed("network " + e.getKey() + " (removing)", x.getMessage(), x);
          continue;
        }
        appliedPeers.remove(e.getKey());
        it.remove();
        networkChanges++;
      }
    }
    boolean swept = true;
    for (Driver dr : drivers.all()) {
      swept &= stage("driver " + dr.name() + ": what it still owes", () -> {
        if (!dr.sweep(d.networks().keySet(), wantedEndpoints)) {
          throw new IllegalStateException("deletions owed to the driver are still pending (its plugin is unreachable)");
        }
      });
    }
    stage("node discovery", this::announceNodes);
    if (full && stage("leftover links", () -> removeLeftovers(d))) {
      leftoversRemoved = true;
    }
    stage("route_localnet for localhost-published ports", () -> routeLocalnet(firewall, full));
    clock.lap(PassStage.KERNEL);
    Map<String, String> lbFailed = balancers.apply(heldForGossip(d), full);
    lbFailed.forEach((path, msg) -> problems.failed("load balancer of sandbox " + path, msg, null));
    records.set(d.dns());
    resolvers.serve(d.dns().networksOfSandbox().keySet(), waitingSandboxes()).forEach((path, e) -> {
      stagesFailed++;
      problems.failed("DNS of sandbox " + path, e.getMessage(), e);
    });
    clock.lap(PassStage.SANDBOXES);
    stage("gossip records", () -> cluster.publish(d.published(), d.publishedBackends()));
    Map<CnmEndpoint, String> nowConfirmed = new java.util.IdentityHashMap<>(realized.size());
    realized.forEach((ep, ifname) -> {
      if (ifname.equals(confirmed.get(ep)) || reportRealized(ep, ifname)) {
        nowConfirmed.put(ep, ifname);
      }
    });
    confirmed = nowConfirmed;
    failed.forEach((ep, f) -> report(ep, false, f.reason(), f.message(), null));
    reportReleased();
    d.problems().forEach(p -> report(p.endpoint(), false, p.reason(), p.message(), null));
    stage("pods' network status", this::reportPods);
    clock.lap(PassStage.REPORT);
    boolean verified = verifySlice(unchangedToCheck);
    toVerify.retainAll(wantedEndpoints);
    resyncLeftNow = toVerify.size(); // before lastPass: who sees a pass sees what it left of the re-sync
    clock.lap(PassStage.RESYNC);
    lastPass = new PassStats(joins, leaves, networkChanges, clock.total(), full);
    metrics.pass(lastPass.nanos(), full);
    for (PassStage st : PassStage.values()) {
      metrics.passStage(st, clock.nanos(st), full);
    }
    metrics.endpoints(realized.size(), failed.size() + d.problems().size());
    if (joins + leaves + networkChanges > 0) {
      lastWork = lastPass;
    }
    failedJoins.keySet().retainAll(wantedEndpoints);
    if (!toVerify.isEmpty()) {
      trigger(); // the re-sync goes on in the next pass; events arriving meanwhile are taken in it too
    }
    failedNetworks.keySet().retainAll(d.networks().keySet());
    problems.endPass();
    return networkFailed.isEmpty() && failed.isEmpty() && lbFailed.isEmpty() && swept && verified && stagesFailed == 0;
  }

  /**
   * The re-sync's slice: unchanged joins checked (and repaired) in the kernel for at most
   * {@link #verifySliceNanos}, after the pass's report, so no change's status waits behind it; an
   * event arriving ends it early (its pass comes next, the round goes on after). At least one join
   * a pass, so the round always ends. What a check finds is said at once.
   *
   * @return whether every join checked held or was repaired
   */
  private boolean verifySlice(List<DesiredState.Join> unchanged) {
    Map<CnmEndpoint, String> repaired = new java.util.IdentityHashMap<>();
    Map<CnmEndpoint, Failure> failed = new java.util.IdentityHashMap<>();
    long v0 = System.nanoTime();
    for (int k = 0; k < unchanged.size() && (k == 0 || System.nanoTime() - v0 <= verifySliceNanos && !pending.get()); k++) {
      DesiredState.Join j = unchanged.get(k);
      toVerify.remove(j.info().key());
      Applied had = joined.get(j.info().key());
      if (join(j, had, repaired, failed) && !had.ifname().equals(repaired.get(j.endpoint()))) {
        confirmed.remove(j.endpoint()); // repaired under another interface name: said now
        reportRealized(j.endpoint(), repaired.get(j.endpoint()));
      }
    }
    failed.forEach((ep, f) -> {
      confirmed.remove(ep);
      report(ep, false, f.reason(), f.message(), null);
    });
    return failed.isEmpty();
  }

  /** @return whether the status already said it (nothing written) */
  private boolean reportRealized(CnmEndpoint ep, String ifname) {
    return report(ep, true, "Realized", ifname.isEmpty() ? "joined on node " + node : ifname + " in the sandbox on node " + node,
        ifname.isEmpty() ? null : ifname);
  }

  /**
   * The sandboxes' balancers to write. Right after a start, a sandbox on a cluster network whose
   * records the gossip has not synced yet keeps what it has (a restarted daemon must not write a
   * service without the other nodes' backends only because its tables are still empty), for at
   * most {@link #GOSSIP_GRACE_MILLIS}; after that, what is known is written.
   */
  private Map<String, Balancer> heldForGossip(DesiredState d) {
    if (System.nanoTime() - startedNanos > TimeUnit.MILLISECONDS.toNanos(GOSSIP_GRACE_MILLIS)) {
      return d.balancers();
    }
    Map<String, Balancer> out = null;
    for (DesiredState.Join j : d.joins()) {
      String path = j.info().netnsPath();
      if (path != null && j.network().cluster() && !cluster.synced(j.network().networkId()) && d.balancers().containsKey(path)) {
        out = out == null ? new HashMap<>(d.balancers()) : out;
        Balancer had = balancers.applied(path);
        if (had != Balancer.EMPTY) {
          out.put(path, had);
        } else {
          out.remove(path);
        }
      }
    }
    if (out != null) {
      loop.schedule(this::trigger, 500, TimeUnit.MILLISECONDS); // and again soon, in case no gossip event comes
    }
    return out == null ? d.balancers() : out;
  }

  /** One step of a pass that must not stop the others: its failure is logged once (deduplicated) and retried. */
  private boolean stage(String what, Runnable step) {
    String key = "node " + node + ": " + what;
    if (!problems.due(key)) {
      stagesFailed++;
      problems.waiting(key); // failed before, its back-off has not passed: not tried on this pass
      return false;
    }
    try {
      step.run();
      return true;
    } catch (RuntimeException e) {
      stagesFailed++;
      problems.failed(key, e.getMessage(), e);
      return false;
    }
  }

  /**
   * Ports published on localhost (127.0.0.1, or all addresses) are DNATed from lo to an endpoint
   * behind a bridge, which the kernel allows only with route_localnet on that bridge: set there,
   * on those bridges only (not on all interfaces, as a node-wide setting would open 127.0.0.0/8
   * to the node's L2 but for the guard in the node table).
   */
  private void routeLocalnet(NodeFirewall firewall, boolean full) {
    if (nodeNamespace == null) {
      return;
    }
    // A bridge that went (its network left this node) starts without it when made again; a full pass sets all again.
    if (full) {
      localnetSet.clear();
    }
    localnetSet.retainAll(firewall.networks().stream().map(NodeFirewall.Network::bridge).collect(Collectors.toSet()));
    for (NodeFirewall.Published p : firewall.published()) {
      boolean viaLocalhost = p.hostIp() == null || (p.hostIp().family() == 4 && p.hostIp().toString().startsWith("127."));
      if (viaLocalhost && localnetSet.add(p.bridge())) {
        try {
          Sysctls.set(nodeNamespace, "net/ipv4/conf/" + p.bridge() + "/route_localnet", "1");
        } catch (RuntimeException e) {
          localnetSet.remove(p.bridge());
          throw e;
        }
      }
    }
  }

  /**
   * Tells the drivers of the cluster's nodes (remote drivers' DiscoverNew/DiscoverDelete). Every
   * pass: each driver applies only the difference from what it announced, so a plugin first used
   * now hears of every node at once.
   */
  private void announceNodes() {
    Set<NodeAddress> nodes = new HashSet<>();
    if (vtep != null) {
      nodes.add(new NodeAddress(node, vtep, true));
    }
    cluster.nodes().forEach((name, address) -> {
      if (!name.equals(node)) {
        nodes.add(new NodeAddress(name, address, false));
      }
    });
    drivers.all().forEach(dr -> dr.setNodes(nodes));
  }

  /**
   * Removes node-side links this daemon made (they carry its alias mark) that no wanted network or
   * endpoint names. It touches nothing else on the node.
   */
  private void removeLeftovers(DesiredState d) {
    Set<String> wanted = new HashSet<>();
    for (NetworkInfo n : d.networks().values()) {
      drivers.get(n.driver()).ifPresent(dr -> wanted.addAll(dr.nodeLinks(n, null)));
    }
    for (DesiredState.Join j : d.joins()) {
      drivers.get(j.network().driver()).ifPresent(dr -> wanted.addAll(dr.nodeLinks(j.network(), j.info())));
    }
    for (Link l : nodeNetlink.links()) {
      if (Owned.ours(l) && !wanted.contains(l.name()) && Set.of("veth", "bridge", "vxlan").contains(l.kind())) {
        nodeNetlink.deleteLink(l.name());
      }
    }
  }

  /**
   * A new endpoint of this node starts a pass once bound. One labelled but not bound yet starts
   * none; the operator's status write follows, and its sandbox's DNS socket is opened meanwhile,
   * off the pass that will join it.
   */
  private boolean endpointAdded(CnmEndpoint ep) {
    AgentEvents.waitingSandbox(ep).ifPresent(resolvers::prepare);
    return AgentEvents.matters(ep);
  }

  /**
   * Which sandboxes belong to endpoints of this node the operator has not bound yet (DNS sockets
   * prepared for them are kept): looked up once, when first asked.
   */
  private java.util.function.Predicate<String> waitingSandboxes() {
    return new java.util.function.Predicate<>() {
      private Set<String> waiting;

      @Override
      public boolean test(String path) {
        if (waiting == null) {
          waiting = new HashSet<>();
          for (CnmEndpoint ep : endpoints.getStore().list()) {
            AgentEvents.waitingSandbox(ep).ifPresent(waiting::add);
          }
        }
        return waiting.contains(path);
      }
    };
  }

  /**
   * One walk over this node's pods (namespace/name): those not Ready (their endpoints serve no
   * service until they are) and those on the node's own network (nothing joins them).
   */
  private DesiredState.Api api() {
    Set<String> unready = new HashSet<>();
    Set<String> hostNetwork = new HashSet<>();
    for (Pod p : pods.getStore().list()) {
      String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
      boolean ready = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
          .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      if (!ready) {
        unready.add(key);
      }
      if (p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
        hostNetwork.add(key);
      }
    }
    return new DesiredState.Api(networks.getStore().list(), endpoints.getStore().list(), services.getStore().list(), unready, hostNetwork);
  }

  /**
   * The endpoint {@code namespace/name} as joined on this node, with the names the embedded DNS
   * answers in its sandbox; read on the agent's own thread, so never half a pass.
   */
  public Optional<JoinedEndpoint> joined(String namespace, String name) {
    try {
      return loop.submit(() -> {
        Applied a = joined.get(DesiredState.key(namespace, name));
        if (a == null) {
          return Optional.<JoinedEndpoint>empty();
        }
        DnsRecords r = records.get();
        Map<String, List<IpAddress>> names = new java.util.TreeMap<>();
        for (String net : r.networksOfSandbox().getOrDefault(a.info().netnsPath(), Set.of())) {
          names.putAll(r.namesOfNetwork().getOrDefault(net, Map.of()));
        }
        return Optional.of(new JoinedEndpoint(a.info().key(), a.network().name(), a.network().driver(), a.info().netnsPath(), a.ifname(),
            a.info().ipv4() == null ? null : a.info().ipv4().toString(), a.info().mac(), names));
      }).get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the agent did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Optional<String> sandboxPath(CnmEndpoint ep) {
    var sb = ep.getSpec().getSandbox();
    if (sb.getNetnsPath() != null) {
      // A joined sandbox is taken as there without a stat per endpoint per pass: the look every second
      // (sandboxVanished) marks one that went and starts a pass, and a full pass looks at every one.
      if (knownSandboxes.contains(sb.getNetnsPath()) && !vanished.contains(sb.getNetnsPath())) {
        return Optional.of(sb.getNetnsPath());
      }
      return Files.exists(Path.of(sb.getNetnsPath())) ? Optional.of(sb.getNetnsPath()) : Optional.empty();
    }
    Pod pod = pods.getStore().getByKey(ep.getMetadata().getNamespace() + "/" + sb.getPod());
    return pod == null ? Optional.empty() : podSandboxes.netnsOf(pod.getMetadata().getUid());
  }

  /**
   * Joins the endpoint, or checks and repairs its join ({@code had}: what was joined for its key,
   * or null), unless it failed with the same inputs a moment ago and its back-off has not passed.
   *
   * @return whether the driver was asked and succeeded
   */
  private boolean join(DesiredState.Join j, Applied had, Map<CnmEndpoint, String> realized, Map<CnmEndpoint, Failure> failed) {
    String problemKey = "endpoint " + j.info().key();
    Applied lastFailed = failedJoins.get(j.info().key());
    if (lastFailed != null && lastFailed.network().equals(j.network()) && lastFailed.info().equals(j.info())
        && !problems.due(problemKey)) {
      problems.waiting(problemKey); // the same inputs failed a moment ago: tried again once the back-off has passed
      stagesFailed++;
      return false;
    }
    long j0 = System.nanoTime();
    try {
      if (had != null && !had.network().driver().equals(j.network().driver())) {
        drivers.get(had.network().driver()).ifPresent(dr -> dr.leave(had.network(), had.info()));
      }
      if (j.info().netnsPath() != null && j.info().ipv4() != null && !resolvers.serving(j.info().netnsPath())) {
        resolvers.prepare(j.info().netnsPath()); // its DNS socket is opened on a thread of its own, beside the join
      }
      String ifname = Objects.requireNonNullElse(drivers.get(j.network().driver()).orElseThrow().join(j.network(), j.info()), "");
      joined.put(j.info().key(), new Applied(j.network(), j.info(), ifname));
      failedJoins.remove(j.info().key());
      realized.put(j.endpoint(), ifname);
      metrics.attached(System.nanoTime() - j0, true);
      return true;
    } catch (RuntimeException e) {
      metrics.attached(System.nanoTime() - j0, false);
      joined.remove(j.info().key());
      failedJoins.put(j.info().key(), new Applied(j.network(), j.info(), null));
      realized.remove(j.endpoint());
      failed.put(j.endpoint(), new Failure(DriverException.reasonOf(e, "JoinFailed"), e.getMessage()));
      problems.failed(problemKey, e.getMessage(), e);
      return false;
    }
  }

  /** @return whether the status already said this (nothing written) */
  private boolean report(CnmEndpoint ep, boolean ok, String reason, String message, String ifname) {
    var current = ep.getStatus() == null ? null : ep.getStatus().getConditions();
    boolean same = Conditions.find(current, Conditions.REALIZED)
        .map(c -> c.getStatus().equals(ok ? "True" : "False") && reason.equals(c.getReason()) && message.equals(c.getMessage()))
        .orElse(false);
    if (same && (ifname == null || ifname.equals(ep.getStatus().getInterfaceName()))) {
      return true;
    }
    try {
      // Only the daemon's part (Realized, the interface), onto the object as it is now: the operator's part stays.
      long w0 = System.nanoTime();
      CnmEndpoint written = EndpointStatusOwners.writeDaemonPart(client, ep, ok, reason, message, ifname, metrics::statusConflict,
          statusPut);
      metrics.statusWritten(System.nanoTime() - w0);
      if (written != null && !ok && !EndpointStatusOwners.RELEASED.equals(reason)) { // a release is the deletion going well
        warn(written, reason, message);
      }
    } catch (RuntimeException e) {
      LOG.warnf("status of endpoint %s/%s not written (%s); the next pass tries again", ep.getMetadata().getNamespace(),
          ep.getMetadata().getName(), e.getMessage());
    }
    return false;
  }

  private Set<String> joinedSandboxes() {
    Set<String> paths = new HashSet<>(2 * joined.size());
    for (Applied a : joined.values()) {
      if (a.info().netnsPath() != null) {
        paths.add(a.info().netnsPath());
      }
    }
    return paths;
  }

  /**
   * Endpoints being deleted whose interface this node has taken out of the sandbox: said on the
   * endpoint (Realized=False, Released), which is what lets the operator give the address again;
   * never before, so no new endpoint gets an address an old interface still holds.
   */
  private void reportReleased() {
    if (!leftoversRemoved) {
      return; // after a restart, what a previous life joined is known gone only once the leftovers were removed
    }
    for (CnmEndpoint ep : endpoints.getStore().list()) {
      if (ep.getMetadata().getDeletionTimestamp() != null && EndpointStatusOwners.interfaceHeld(ep)
          && !joined.containsKey(DesiredState.key(ep.getMetadata().getNamespace(), ep.getMetadata().getName()))) {
        report(ep, false, EndpointStatusOwners.RELEASED, "its interface left the sandbox on node " + node
            + ": the address can be given again", null);
      }
    }
  }

  /**
   * True when the namespace of a joined sandbox has gone (the pod's processes ended, the named
   * netns was deleted): checked every second, a stat per sandbox, so its interface and DNS socket
   * are let go at once rather than at the next periodic pass.
   */
  private boolean sandboxVanished() {
    Set<String> gone = new HashSet<>();
    for (String path : joinedSandboxes()) { // once per sandbox, however many of its endpoints are joined
      if (!Files.exists(Path.of(path))) {
        gone.add(path);
      }
    }
    // Once per sandbox: one whose leave keeps failing is retried by the passes' own back-off, not every second.
    boolean news = !vanished.containsAll(gone);
    vanished.retainAll(gone);
    vanished.addAll(gone);
    return news;
  }

  /**
   * The pods of this node that asked for networks: their condition cnm.io/networks-ready (the
   * readiness gate) and their cnm.io/network-status annotation, written when they change.
   */
  private void reportPods() {
    // This node's endpoints (the informer's store), by pod: a pod's endpoints are all bound to its node.
    Map<String, List<CnmEndpoint>> byPod = new HashMap<>();
    for (CnmEndpoint e : endpoints.getStore().list()) {
      String pod = e.getMetadata().getLabels() == null ? null : e.getMetadata().getLabels().get(CnmEndpoint.POD_LABEL);
      if (pod != null) {
        byPod.computeIfAbsent(e.getMetadata().getNamespace() + "/" + pod, k -> new ArrayList<>()).add(e);
      }
    }
    for (Pod pod : pods.getStore().list()) {
      int asked = PodNetworkStatus.asked(pod);
      if (asked == 0) {
        continue;
      }
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      List<CnmEndpoint> mine = byPod.getOrDefault(ns + "/" + CnmEndpoint.podLabelValue(name), List.of());
      List<PodNetworkStatus.Attached> attached = PodNetworkStatus.attached(mine);
      var want = PodNetworkStatus.condition(pod, asked, attached.size());
      if (!PodNetworkStatus.same(want, PodNetworkStatus.current(pod))) {
        PodNetworkStatus.writeCondition(client, pod, want);
      }
      String annotation = PodNetworkStatus.annotation(attached);
      if (!annotation.equals(pod.getMetadata().getAnnotations().get(PodNetworkStatus.ANNOTATION))) {
        PodNetworkStatus.writeAnnotation(client, pod, annotation);
      }
    }
  }

  /** A Warning Event on the endpoint, from this node's daemon, when it newly cannot be realized (kubectl describe shows it). */
  private void warn(CnmEndpoint ep, String reason, String message) {
    try {
      String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      client.v1().events().inNamespace(ep.getMetadata().getNamespace()).resource(new io.fabric8.kubernetes.api.model.EventBuilder()
          .withNewMetadata().withGenerateName(ep.getMetadata().getName() + ".").withNamespace(ep.getMetadata().getNamespace()).endMetadata()
          .withNewInvolvedObject().withApiVersion(ep.getApiVersion()).withKind(ep.getKind()).withName(ep.getMetadata().getName())
          .withNamespace(ep.getMetadata().getNamespace()).withUid(ep.getMetadata().getUid()).endInvolvedObject()
          .withType("Warning").withReason(reason).withMessage(message).withCount(1).withFirstTimestamp(now).withLastTimestamp(now)
          .withNewSource().withComponent("cnm-node-daemon").withHost(node).endSource().build()).create();
    } catch (RuntimeException e) {
      LOG.warnf("event %s on endpoint %s/%s not recorded (%s)", reason, ep.getMetadata().getNamespace(), ep.getMetadata().getName(),
          e.getMessage());
    }
  }

  /** Stops watching and serving; leaves the kernel as it is (a restarted daemon adopts it). */
  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    resolvers.close();
    balancers.close();
    nft.close();
  }
}
