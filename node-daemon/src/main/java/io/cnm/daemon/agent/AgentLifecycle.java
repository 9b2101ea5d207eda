package io.cnm.daemon.agent;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.dns.DnsTransport;
import io.cnm.daemon.dns.UdpUpstream;
import io.cnm.daemon.config.Settings;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.driver.remote.RemoteDrivers;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.encryption.EspSessions;
import io.cnm.daemon.encryption.KernelXfrm;
import io.cnm.daemon.encryption.NodeEncryption;
import io.cnm.daemon.encryption.UserspaceEsp;
import io.cnm.daemon.gossip.GossipConfig;
import io.cnm.daemon.gossip.GossipTls;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.NftContext;
import io.cnm.daemon.nft.Nftables;
import io.cnm.daemon.preflight.Preflight;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.sysctl.Sysctls;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import io.cnm.daemon.gossip.Member;
import io.cnm.daemon.metrics.DaemonMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * Starts the agent when the daemon knows its node (NODE_NAME, set by the DaemonSet from
 * spec.nodeName). In a cluster the daemon runs in the host's namespace (hostNetwork); the lab
 * and tests give it a node namespace to act on instead ({@code CNM_NODE_NETNS}). The node's
 * underlay address (its VTEP and gossip address) is {@code cnm.node.address}, else the address
 * of the interface that holds the default route. {@link #close()} stops what {@link #start()}
 * started; the kernel state stays, for the next daemon to adopt.
 */
public class AgentLifecycle implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);

  private final KubernetesClient client;
  private final Optional<String> nodeName;
  private final Optional<String> nodeNetns;
  private final String hostProc;
  private final String resolvConf;
  private final int upstreamTimeoutMs;
  private final int dnsEventLoops;
  private final Optional<String> nodeAddress;
  private final boolean gossipEnabled;
  private final int gossipPort;
  private final Optional<List<String>> gossipSeeds;
  private final Optional<String> keysNamespace;
  private final GossipConfig gossipConfig;
  private final String gwbridgeSubnet;
  private final Plugins plugins;
  private final Path stateDir;
  private final long rekeyAfterPackets;
  private final long keyGraceMillis;
  /** auto (the kernel's ESP where it has AES-GCM, else userspace), kernel-xfrm or userspace-esp. */
  private final String encryptionPath;
  private NodeEncryption encryption;
  private final boolean gossipTls;
  /** The gossip's mutual TLS (this node's key and certificate), or null where it is off. */
  private GossipTls tls;
  private NodeAgent agent;
  private volatile List<String> preflightProblems = List.of();
  private DnsServer dns;
  private UdpUpstream upstream;
  private ClusterGossip gossip;
  private DaemonHeartbeat heartbeat;
  private final DaemonMetrics metrics;

  /** Every setting is read here, so a misspelt value stops the daemon at its start, with its name. */
  public AgentLifecycle(KubernetesClient client, MeterRegistry registry, Settings settings) {
    this.client = client;
    this.metrics = new DaemonMetrics(registry);
    this.nodeName = settings.get("node.name");
    this.nodeNetns = settings.get("cnm.node.netns");
    this.hostProc = settings.get("cnm.host-proc", "/proc");
    this.resolvConf = settings.get("cnm.dns.resolv-conf", "/etc/resolv.conf");
    this.upstreamTimeoutMs = settings.intValue("cnm.dns.upstream-timeout-ms", 2000);
    this.dnsEventLoops = settings.intValue("cnm.dns.event-loops", 1, 1, 64);
    this.nodeAddress = settings.get("cnm.node.address");
    this.gossipEnabled = settings.bool("cnm.gossip.enabled", true);
    this.gossipPort = settings.intValue("cnm.gossip.port", 7947);
    this.gossipSeeds = settings.list("cnm.gossip.seeds");
    this.keysNamespace = settings.get("cnm.gossip.keys-namespace");
    this.gossipConfig = GossipConfig.defaults().withPushPull(settings.longValue("cnm.gossip.push-pull-ms", 30000))
        .withProbing(settings.longValue("cnm.gossip.probe-interval-ms", 1000), settings.longValue("cnm.gossip.probe-timeout-ms", 500),
            settings.intValue("cnm.gossip.suspicion-mult", 4));
    this.gwbridgeSubnet = settings.get("cnm.gwbridge.subnet", "172.31.240.0/20");
    List<String> pluginSpecs = settings.list("cnm.plugins.spec-dirs", List.of("/etc/docker/plugins", "/usr/lib/docker/plugins"));
    this.plugins = new Plugins(new PluginLocator(Path.of(settings.get("cnm.plugins.sockets-dir", "/run/docker/plugins")),
        pluginSpecs.stream().map(Path::of).toList()), settings.longValue("cnm.plugins.timeout-ms", 10000),
        settings.longValue("cnm.plugins.backoff-max-ms", 30000));
    this.stateDir = Path.of(settings.get("cnm.state-dir", "/var/lib/cnm"));
    this.rekeyAfterPackets = settings.longValue("cnm.encryption.rekey-after-packets", 1_000_000_000L);
    this.keyGraceMillis = settings.longValue("cnm.encryption.key-grace-ms", 10000);
    this.gossipTls = settings.bool("cnm.gossip.tls.enabled", true);
    this.encryptionPath = settings.get("cnm.encryption.path", "auto");
  }

  /** Starts the agent, its DNS, gossip and heartbeat; does nothing (and stays unready) without NODE_NAME or a required tool. */
  public void start() {
    if (nodeName.isEmpty()) {
      LOG.warn("NODE_NAME is not set: the agent does not run (the DaemonSet sets it from spec.nodeName)");
      return;
    }
    // Preflight: each missing piece is one line; without a required one the agent does not start (and is not ready).
    List<Preflight.Check> missing = Preflight.ofThisMachine(() -> NftContext.available() || onPath("nft")).problems();
    missing.forEach(c -> LOG.warn("preflight: " + c.line()));
    preflightProblems = missing.stream().filter(Preflight.Check::required).map(Preflight.Check::line).toList();
    if (!preflightProblems.isEmpty()) {
      LOG.error("the node-daemon agent does not start: " + String.join("; ", preflightProblems));
      return;
    }
    NetNamespace nodeNs = nodeNetns.map(NetNamespace::open).orElseGet(NetNamespace::current);
    Netlink nodeNetlink = NetlinkFactory.kernel().in(nodeNs);
    Sysctls.set(nodeNs, "net/ipv4/ip_forward", "1");
    // Published ports answer on 127.0.0.1 too: the agent sets route_localnet on the bridges behind them only.
    AtomicReference<DnsRecords> records = new AtomicReference<>(DnsRecords.EMPTY);
    upstream = new UdpUpstream(UdpUpstream.fromResolvConf(Path.of(resolvConf)), upstreamTimeoutMs, nodeNetns.isPresent() ? nodeNs : null);
    DnsTransport transport = DnsTransport.best();
    if (transport != DnsTransport.EPOLL) {
      LOG.warnf("the embedded DNS uses Java NIO, one system call per query: Netty's epoll transport did not load (%s)",
          DnsTransport.whyNotEpoll());
    }
    dns = new DnsServer(records::get, upstream, metrics, transport, dnsEventLoops);
    Underlay underlay = Underlays.detect(nodeNetlink, nodeAddress.map(IpAddress::parse));
    Cidr gw = Cidr.parse(gwbridgeSubnet);
    Sandboxes sandboxes = new Sandboxes(nodeNetlink, NetlinkFactory.kernel());
    GwBridge gwbridge = new GwBridge(sandboxes, gw);
    // Remote network drivers: Docker plugins found by name, what they created kept under the state directory.
    encryption = encryption(nodeNs, nodeNetlink, underlay);
    metrics.encryption(encryption);
    Drivers drivers = Drivers.builtIn(sandboxes, underlay, gwbridge, encryption)
        .withPlugins(new RemoteDrivers(plugins, sandboxes, nodeNs, gwbridge, stateDir.resolve(nodeName.get())));
    ClusterTables tables = ClusterTables.NONE;
    if (gossipEnabled && underlay.address() != null) {
      gossip = new ClusterGossip(client, nodeName.get(), underlay.address(), gossipPort, nodeNetns.isPresent() ? nodeNs : null,
          gossipSeeds.orElse(List.of()), gossipConfig).session(encryption.session());
      if (gossipTls) {
        tls = new GossipTls(stateDir.resolve(nodeName.get()));
        gossip.tls(tls);
        metrics.gossipTls(tls);
      }
      gossip.start(releaseNamespace());
      for (Member.State state : Member.State.values()) {
        ClusterGossip g = gossip;
        metrics.gauge("cnm.gossip.members", "Members of the node-daemons' gossip as this node sees them, by state", state,
            st -> g.memberlist().members().values().stream().filter(m -> m.state() == st).count(), "state",
            state.name().toLowerCase(java.util.Locale.ROOT));
      }
      tables = gossip;
    } else if (gossipEnabled) {
      LOG.warn("no underlay address found (no default route; set cnm.node.address): overlay networks and the gossip are off");
    }
    // Before the agent: the heartbeat also brings the gossip's certificate, which the gossip waits for.
    heartbeat = new DaemonHeartbeat(client, releaseNamespace(), nodeName.get(), gossip == null ? null : tls).start();
    agent = new NodeAgent(client, nodeName.get(), underlay.address(), nodeNetlink, drivers, nodeTable(nodeNetns.isPresent() ? nodeNs : null), dns,
        records, new PodSandboxes(Path.of(hostProc)), Path.of("/etc/netns"), tables, List.of(gw)).nodeNamespace(nodeNs).metrics(metrics)
        .encryption(encryption);
    agent.start();
    LOG.infof("node-daemon agent started for node %s (namespace %s, underlay %s, MTU %d, drivers %s)", nodeName.get(), nodeNs,
        underlay.address(), underlay.mtu(), drivers.names());
  }

  /** The release namespace: where the operator keeps the gossip keyring and reads the nodes' leases. */
  private String releaseNamespace() {
    return keysNamespace.orElseGet(() -> client.getNamespace() == null ? "default" : client.getNamespace());
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.close();
    }
    if (agent != null) {
      agent.close();
      dns.close();
      upstream.close();
    }
    if (gossip != null) {
      gossip.close();
    }
    if (encryption != null) {
      encryption.close();
    }
  }

  /**
   * How this node encrypts encrypted overlays: the kernel's ESP (xfrm) where it has
   * {@code rfc4106(gcm(aes))}, else userspace ESP through a TUN device, or why it cannot (which
   * an encrypted overlay's endpoints then report). {@code cnm.encryption.path} can insist on one.
   */
  private NodeEncryption encryption(NetNamespace nodeNs, Netlink nodeNetlink, Underlay underlay) {
    if (underlay.address() == null) {
      return NodeEncryption.unavailable("the node has no underlay address (set cnm.node.address)");
    }
    int session = EspSessions.next(stateDir.resolve(nodeName.get()).resolve("esp-session"));
    boolean tun = java.nio.file.Files.exists(Path.of("/dev/net/tun"));
    Optional<String> noKernel = encryptionPath.equals("userspace-esp") ? Optional.of("not chosen (cnm.encryption.path)") : KernelXfrm.probe();
    if (noKernel.isEmpty() && !encryptionPath.equals("userspace-esp")) {
      return new KernelXfrm(nodeNs, underlay.address(), session, rekeyAfterPackets, keyGraceMillis);
    }
    if (encryptionPath.equals("kernel-xfrm")) {
      return NodeEncryption.unavailable("cnm.encryption.path is kernel-xfrm, and the kernel's ESP with rfc4106(gcm(aes)) is missing: "
          + noKernel.get());
    }
    if (!tun) {
      return NodeEncryption.unavailable("the kernel has no ESP with rfc4106(gcm(aes)) (" + noKernel.get() + ") and no TUN device "
          + "/dev/net/tun (modprobe tun) for the userspace path");
    }
    LOG.infof("encrypted overlays take the userspace ESP path: the kernel's ESP is not available (%s)", noKernel.get());
    return new UserspaceEsp(nodeNs, nodeNetlink, underlay.address(), underlay.mtu(), session, rekeyAfterPackets, keyGraceMillis);
  }


  /**
   * Why the agent will not run in this process (NODE_NAME unset, a required tool missing); empty
   * while it runs or is still starting, which readiness must not report as never.
   */
  public Optional<String> whyNotRunning() {
    if (nodeName.isEmpty()) {
      return Optional.of("NODE_NAME is not set");
    }
    return preflightProblems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", preflightProblems));
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Empty when the agent does not run (no NODE_NAME). */
  public Optional<NodeAgent> agent() {
    return Optional.ofNullable(agent);
  }

  /** Empty when the gossip does not run. */
  public Optional<ClusterGossip> gossip() {
    return Optional.ofNullable(gossip);
  }

  /** The node's table through libnftables (one context kept open), or the nft tool where the library is missing. */
  private Nftables nodeTable(NetNamespace ns) {
    if (NftContext.available()) {
      return NftContext.open(ns);
    }
    LOG.warn("libnftables.so.1 not found: nftables changes go through the nft tool (slower)");
    return new NftCommand(nodeNetns.orElse(null));
  }
}
