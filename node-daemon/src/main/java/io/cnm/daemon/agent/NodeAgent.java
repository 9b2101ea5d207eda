package io.cnm.daemon.agent;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.Nftables;
import io.cnm.daemon.nft.Ruleset;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.netty.channel.Channel;
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
import org.jboss.logging.Logger;

/**
 * The node-daemon's control loop. Watches the endpoints bound to this node (label cnm.io/node),
 * all networks and services; on any change it recomputes {@link DesiredState} and converges the
 * node to it on one thread: networks, joins, leftovers it owns, the nftables table, the embedded
 * DNS, and each endpoint's Realized condition. Every step checks before it acts, so a restarted
 * daemon adopts what is there and open connections keep flowing.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeAgent.class);
  /** Node annotation read by the operator's IPAM (io.cnm.operator.recovery.NodeSubnets). */
  public static final String HOST_SUBNETS = "cnm.io/host-subnets";

  private final KubernetesClient client;
  private final String node;
  private final Netlink nodeNetlink;
  private final Map<String, Driver> drivers;
  private final Nftables nft;
  private final DnsServer dnsServer;
  private final AtomicReference<DnsRecords> records;
  private final PodSandboxes podSandboxes;
  private final Path etcNetns;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cnm-agent");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pending = new AtomicBoolean();
  private final Map<String, Channel> dnsChannels = new HashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<CnmNetwork> networks;
  private SharedIndexInformer<CnmEndpoint> endpoints;
  private SharedIndexInformer<CnmService> services;
  private SharedIndexInformer<Pod> pods;
  private String appliedRuleset;
  private volatile boolean converged;

  /**
   * @param etcNetns where resolv.conf files of named-netns sandboxes go (/etc/netns), read by ip netns exec
   */
  public NodeAgent(KubernetesClient client, String node, Netlink nodeNetlink, Map<String, Driver> drivers, Nftables nft,
      DnsServer dnsServer, AtomicReference<DnsRecords> records, PodSandboxes pods, Path etcNetns) {
    this.client = client;
    this.node = node;
    this.nodeNetlink = nodeNetlink;
    this.drivers = drivers;
    this.nft = nft;
    this.dnsServer = dnsServer;
    this.records = records;
    this.podSandboxes = pods;
    this.etcNetns = etcNetns;
  }

  public void start() {
    ResourceEventHandler<Object> poke = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Object o) {
        trigger();
      }

      @Override
      public void onUpdate(Object a, Object b) {
        trigger();
      }

      @Override
      public void onDelete(Object o, boolean unknown) {
        trigger();
      }
    };
    networks = client.resources(CnmNetwork.class).inAnyNamespace().inform(cast(poke));
    endpoints = client.resources(CnmEndpoint.class).inAnyNamespace().withLabel(CnmEndpoint.NODE_LABEL, node).inform(cast(poke));
    services = client.resources(CnmService.class).inAnyNamespace().inform(cast(poke));
    // This node's pods, for their UIDs (a pod sandbox is found from its UID); a pod appearing re-runs the pass.
    pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).inform(cast(poke));
    informers.addAll(List.of(networks, endpoints, services, pods));
    // Without events nothing would notice a sandbox that vanished, so look again now and then.
    loop.scheduleWithFixedDelay(this::trigger, 10, 10, TimeUnit.SECONDS);
    trigger();
    loop.execute(this::reportHostSubnets);
  }

  /**
   * Tells the operator's IPAM which subnets the node itself uses (annotation cnm.io/host-subnets
   * on its Node), leaving out what the daemon built. Nothing to do where there is no Node object.
   */
  private void reportHostSubnets() {
    try {
      List<String> subnets = new ArrayList<>();
      for (Link l : nodeNetlink.links()) {
        if (!"lo".equals(l.name()) && !BridgeDriver.ours(l)) {
          nodeNetlink.addresses(l.name()).stream().filter(c -> c.family() == 4 || !c.address().toString().startsWith("fe80"))
              .forEach(c -> subnets.add(c.masked().toString()));
        }
      }
      String value = String.join(",", subnets.stream().distinct().sorted().toList());
      var nodes = client.nodes().withName(node);
      if (nodes.get() != null) {
        nodes.edit(n -> {
          n.getMetadata().getAnnotations().put(HOST_SUBNETS, value);
          return n;
        });
      }
    } catch (RuntimeException e) {
      LOG.debugf("host subnets of %s not reported: %s", node, e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
  }

  /** True once a pass has completed since start. */
  public boolean converged() {
    return converged;
  }

  public void trigger() {
    if (pending.compareAndSet(false, true)) {
      loop.schedule(() -> {
        pending.set(false);
        try {
          reconcile();
          converged = true;
        } catch (RuntimeException e) {
          LOG.warnf(e, "node %s: pass failed; retrying", node);
          loop.schedule(this::trigger, 2, TimeUnit.SECONDS);
        }
      }, 20, TimeUnit.MILLISECONDS);
    }
  }

  private void reconcile() {
    if (!networks.hasSynced() || !endpoints.hasSynced() || !services.hasSynced()) {
      loop.schedule(this::trigger, 200, TimeUnit.MILLISECONDS);
      return;
    }
    DesiredState d = DesiredState.compute(node, networks.getStore().list(), endpoints.getStore().list(), services.getStore().list(),
        this::sandboxPath);
    for (NetworkInfo n : d.networks().values()) {
      drivers.get(n.driver()).ensureNetwork(n);
    }
    Map<CnmEndpoint, String> realized = new HashMap<>();
    Map<CnmEndpoint, String> failed = new HashMap<>();
    for (DesiredState.Join j : d.joins()) {
      try {
        realized.put(j.endpoint(), Objects.requireNonNullElse(drivers.get(j.network().driver()).join(j.network(), j.info()), ""));
      } catch (RuntimeException e) {
        failed.put(j.endpoint(), e.getMessage());
      }
    }
    removeLeftovers(d);
    String ruleset = Ruleset.render(d.firewall());
    if (!ruleset.equals(appliedRuleset)) {
      nft.apply(ruleset);
      appliedRuleset = ruleset;
    }
    records.set(d.dns());
    serveDns(d.dns().networksOfSandbox().keySet());
    realized.forEach((ep, ifname) -> report(ep, true, "Realized", ifname.isEmpty() ? "joined on node " + node
        : ifname + " in the sandbox on node " + node, ifname.isEmpty() ? null : ifname));
    failed.forEach((ep, msg) -> report(ep, false, "JoinFailed", msg, null));
    d.problems().forEach(p -> report(p.endpoint(), false, p.reason(), p.message(), null));
  }

  /**
   * Removes node-side objects this daemon made (they carry its alias mark) that no endpoint wants
   * any more. It touches nothing else on the node.
   */
  private void removeLeftovers(DesiredState d) {
    Set<String> wanted = new HashSet<>();
    d.joins().forEach(j -> wanted.add(BridgeDriver.hostVeth(j.info().key())));
    d.networks().values().forEach(n -> wanted.add(n.bridgeName()));
    for (Link l : nodeNetlink.links()) {
      if (BridgeDriver.ours(l) && !wanted.contains(l.name()) && ("veth".equals(l.kind()) || "bridge".equals(l.kind()))) {
        nodeNetlink.deleteLink(l.name());
      }
    }
  }

  private void serveDns(Set<String> sandboxes) {
    for (String path : sandboxes) {
      Channel ch = dnsChannels.get(path);
      if (ch != null && ch.isActive()) {
        continue;
      }
      try (NetNamespace ns = NetNamespace.open(path)) {
        dnsChannels.put(path, dnsServer.serve(ns, path, 53));
        writeResolvConf(path);
      } catch (RuntimeException e) {
        LOG.warnf("DNS for sandbox %s not started: %s", path, e.getMessage());
      }
    }
    dnsChannels.keySet().removeIf(path -> {
      if (!sandboxes.contains(path)) {
        dnsChannels.get(path).close();
        return true;
      }
      return false;
    });
  }

  /** Named netns sandboxes get /etc/netns/NAME/resolv.conf, which `ip netns exec` mounts over /etc/resolv.conf. */
  private void writeResolvConf(String netnsPath) {
    Path p = Path.of(netnsPath);
    if (p.getParent() == null || !(p.getParent().toString().equals("/run/netns") || p.getParent().toString().equals("/var/run/netns"))) {
      return;
    }
    try {
      Path dir = etcNetns.resolve(p.getFileName().toString());
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("resolv.conf"), "nameserver " + DnsServer.ADDRESS + "\noptions ndots:0\n");
    } catch (IOException e) {
      LOG.warnf("resolv.conf for %s not written: %s", netnsPath, e.getMessage());
    }
  }

  private Optional<String> sandboxPath(CnmEndpoint ep) {
    var sb = ep.getSpec().getSandbox();
    if (sb.getNetnsPath() != null) {
      return Files.exists(Path.of(sb.getNetnsPath())) ? Optional.of(sb.getNetnsPath()) : Optional.empty();
    }
    Pod pod = pods.getStore().getByKey(ep.getMetadata().getNamespace() + "/" + sb.getPod());
    return pod == null ? Optional.empty() : podSandboxes.netnsOf(pod.getMetadata().getUid());
  }

  private void report(CnmEndpoint ep, boolean ok, String reason, String message, String ifname) {
    var current = ep.getStatus() == null ? null : ep.getStatus().getConditions();
    boolean same = Conditions.find(current, Conditions.REALIZED)
        .map(c -> c.getStatus().equals(ok ? "True" : "False") && reason.equals(c.getReason()) && message.equals(c.getMessage()))
        .orElse(false);
    if (same && (ifname == null || ifname.equals(ep.getStatus().getInterfaceName()))) {
      return;
    }
    try {
      client.resources(CnmEndpoint.class).inNamespace(ep.getMetadata().getNamespace()).withName(ep.getMetadata().getName())
          .editStatus(e -> {
            e.getStatus().setConditions(Conditions.set(e.getStatus().getConditions(), Conditions.REALIZED, ok, reason, message,
                e.getMetadata().getGeneration()));
            if (ifname != null) {
              e.getStatus().setInterfaceName(ifname);
            }
            return e;
          });
    } catch (RuntimeException e) {
      LOG.debugf("status of %s not written (%s); next pass retries", ep.getMetadata().getName(), e.getMessage());
    }
  }

  /** Stops watching and serving; leaves the kernel as it is (a restarted daemon adopts it). */
  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    dnsChannels.values().forEach(Channel::close);
  }
}
