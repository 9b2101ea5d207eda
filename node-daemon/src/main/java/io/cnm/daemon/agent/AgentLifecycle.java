package io.cnm.daemon.agent;

import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.DnsServer;
import io.cnm.daemon.dns.UdpUpstream;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.driver.host.HostDriver;
import io.cnm.daemon.driver.none.NullDriver;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.sysctl.Sysctls;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the agent when the daemon knows its node (NODE_NAME, set by the DaemonSet from
 * spec.nodeName). In a cluster the daemon runs in the host's namespace (hostNetwork); the lab
 * and tests give it a node namespace to act on instead ({@code CNM_NODE_NETNS}).
 */
@Singleton
public class AgentLifecycle {
  private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);

  private final KubernetesClient client;
  private final Optional<String> nodeName;
  private final Optional<String> nodeNetns;
  private final String hostProc;
  private final String resolvConf;
  private final int upstreamTimeoutMs;
  private NodeAgent agent;
  private DnsServer dns;
  private UdpUpstream upstream;

  public AgentLifecycle(KubernetesClient client, @ConfigProperty(name = "node.name") Optional<String> nodeName,
      @ConfigProperty(name = "cnm.node.netns") Optional<String> nodeNetns,
      @ConfigProperty(name = "cnm.host-proc", defaultValue = "/proc") String hostProc,
      @ConfigProperty(name = "cnm.dns.resolv-conf", defaultValue = "/etc/resolv.conf") String resolvConf,
      @ConfigProperty(name = "cnm.dns.upstream-timeout-ms", defaultValue = "2000") int upstreamTimeoutMs) {
    this.client = client;
    this.nodeName = nodeName;
    this.nodeNetns = nodeNetns;
    this.hostProc = hostProc;
    this.resolvConf = resolvConf;
    this.upstreamTimeoutMs = upstreamTimeoutMs;
  }

  void onStart(@Observes StartupEvent ev) {
    if (nodeName.isEmpty()) {
      LOG.warn("NODE_NAME is not set: the agent does not run (the DaemonSet sets it from spec.nodeName)");
      return;
    }
    NetNamespace nodeNs = nodeNetns.map(NetNamespace::open).orElseGet(NetNamespace::current);
    Netlink nodeNetlink = NetlinkFactory.kernel().in(nodeNs);
    Sysctls.set(nodeNs, "net/ipv4/ip_forward", "1");
    // Published ports answer on 127.0.0.1 too: DNAT of loopback traffic needs route_localnet.
    Sysctls.set(nodeNs, "net/ipv4/conf/all/route_localnet", "1");
    AtomicReference<DnsRecords> records = new AtomicReference<>(DnsRecords.EMPTY);
    upstream = new UdpUpstream(UdpUpstream.fromResolvConf(Path.of(resolvConf)), upstreamTimeoutMs, nodeNetns.isPresent() ? nodeNs : null);
    dns = new DnsServer(records::get, upstream);
    Map<String, Driver> drivers = Map.of("bridge", new BridgeDriver(nodeNetlink, NetlinkFactory.kernel()), "host", new HostDriver(),
        "null", new NullDriver(NetlinkFactory.kernel()));
    agent = new NodeAgent(client, nodeName.get(), nodeNetlink, drivers, new NftCommand(nodeNetns.orElse(null)), dns, records,
        new PodSandboxes(Path.of(hostProc)), Path.of("/etc/netns"));
    agent.start();
    LOG.infof("node-daemon agent started for node %s (namespace %s)", nodeName.get(), nodeNs);
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (agent != null) {
      agent.close();
      dns.close();
      upstream.close();
    }
  }

  /** Empty when the agent does not run (no NODE_NAME). */
  public Optional<NodeAgent> agent() {
    return Optional.ofNullable(agent);
  }
}
