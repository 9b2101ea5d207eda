package io.cnm.daemon.agent;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.BridgeOptions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.EndpointMode;
import io.cnm.api.v1alpha1.PortBinding;
import io.cnm.api.v1alpha1.VirtualIP;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.nft.NodeFirewall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What this node must look like, computed purely from the API objects: the networks present
 * (those with at least one endpoint here), the endpoints to join with their sandbox paths, the
 * firewall, and the DNS records. No I/O: the agent applies it.
 */
public record DesiredState(Map<String, NetworkInfo> networks, List<Join> joins, NodeFirewall firewall, DnsRecords dns,
    List<Problem> problems) {

  /** An endpoint to realize. */
  public record Join(CnmEndpoint endpoint, NetworkInfo network, EndpointInfo info, String sandboxName) {}

  /** An endpoint that cannot be realized, with a reason for its status. */
  public record Problem(CnmEndpoint endpoint, String reason, String message) {}

  /**
   * @param sandboxPath where a sandbox's namespace is: the netnsPath, or the pod's (empty while unknown)
   */
  public static DesiredState compute(String node, List<CnmNetwork> allNetworks, List<CnmEndpoint> endpoints,
      List<CnmService> services, Function<CnmEndpoint, Optional<String>> sandboxPath) {
    Map<String, CnmNetwork> byKey = new HashMap<>();
    allNetworks.forEach(n -> byKey.put(key(n.getMetadata().getNamespace(), n.getMetadata().getName()), n));
    Map<String, NetworkInfo> networks = new LinkedHashMap<>();
    List<Join> joins = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (CnmEndpoint ep : endpoints) {
      if (ep.getStatus() == null || !node.equals(ep.getStatus().getNodeName()) || !ready(ep) || ep.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String netKey = key(ep.getMetadata().getNamespace(), ep.getSpec().getNetwork());
      CnmNetwork net = byKey.get(netKey);
      if (net == null || net.getStatus() == null || net.getStatus().getNetworkId() == null) {
        continue;
      }
      String driver = net.getSpec().driverOrDefault();
      if (!Set.of("bridge", "host", "null").contains(driver)) {
        problems.add(new Problem(ep, "DriverUnavailable", "the " + driver + " driver is not available on nodes yet"));
        continue;
      }
      Optional<String> path = sandboxPath.apply(ep);
      if (path.isEmpty() && !driver.equals("host")) {
        problems.add(new Problem(ep, "SandboxNotFound", "the sandbox's network namespace was not found on node " + node));
        continue;
      }
      NetworkInfo info = networks.computeIfAbsent(netKey, k -> networkInfo(k, net));
      joins.add(new Join(ep, info, endpointInfo(ep, netKey, path.orElse(null)), sandboxName(ep)));
    }
    return new DesiredState(networks, joins, firewall(networks, joins), dns(joins, services, networks), problems);
  }

  static String key(String ns, String name) {
    return ns + "/" + name;
  }

  static boolean ready(CnmEndpoint ep) {
    return ep.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static NetworkInfo networkInfo(String key, CnmNetwork n) {
    var st = n.getStatus();
    List<Cidr> subnets = st.getSubnets().stream().map(Cidr::parse).toList();
    List<Cidr> gateways = new ArrayList<>();
    for (int i = 0; i < subnets.size(); i++) {
      String gw = i < st.getGateways().size() ? st.getGateways().get(i) : null;
      if (gw != null) {
        gateways.add(Cidr.of(IpAddress.parse(gw), subnets.get(i).prefixLength()));
      }
    }
    BridgeOptions b = n.getSpec().getBridge();
    boolean icc = b == null || !Boolean.FALSE.equals(b.getEnableIcc());
    boolean masq = b == null || !Boolean.FALSE.equals(b.getEnableIpMasquerade());
    int mtu = b != null && b.getMtu() != null ? b.getMtu() : 0;
    String bridge = b != null && b.getBridgeName() != null ? b.getBridgeName() : "br-" + st.getNetworkId();
    return new NetworkInfo(key, st.getNetworkId(), n.getSpec().driverOrDefault(), subnets, gateways, n.getSpec().internalEnabled(),
        icc, masq, mtu, bridge);
  }

  static EndpointInfo endpointInfo(CnmEndpoint ep, String netKey, String path) {
    var st = ep.getStatus();
    List<EndpointInfo.Port> ports = new ArrayList<>();
    if (ep.getSpec().getPorts() != null) {
      for (PortBinding p : ep.getSpec().getPorts()) {
        ports.add(new EndpointInfo.Port(p.getProtocol() == null ? "tcp" : p.getProtocol().wireName(),
            p.getHostIp() == null ? null : IpAddress.parse(p.getHostIp()),
            p.getHostPort() == null ? p.getContainerPort() : p.getHostPort(), p.getContainerPort()));
      }
    }
    return new EndpointInfo(key(ep.getMetadata().getNamespace(), ep.getMetadata().getName()), netKey, path,
        ep.getSpec().getInterfaceName(), st.getIpv4Address() == null ? null : Cidr.parse(st.getIpv4Address()),
        st.getGateway() == null ? null : IpAddress.parse(st.getGateway()), st.getMacAddress(), ports);
  }

  /** The name the sandbox answers to in DNS: the pod's name, or the netns file's name. */
  static String sandboxName(CnmEndpoint ep) {
    var sb = ep.getSpec().getSandbox();
    return sb.getPod() != null ? sb.getPod() : Path.of(sb.getNetnsPath()).getFileName().toString();
  }

  static NodeFirewall firewall(Map<String, NetworkInfo> networks, List<Join> joins) {
    List<NodeFirewall.Network> nets = networks.values().stream().filter(n -> n.driver().equals("bridge"))
        .map(n -> new NodeFirewall.Network(n.bridgeName(), n.subnets(), n.internal(), n.masquerade())).toList();
    List<NodeFirewall.Published> published = new ArrayList<>();
    for (Join j : joins) {
      if (!j.network().driver().equals("bridge") || j.network().internal() || j.info().ipv4() == null) {
        continue;
      }
      for (EndpointInfo.Port p : j.info().ports()) {
        published.add(new NodeFirewall.Published(j.network().bridgeName(), p.protocol(), p.hostIp(), p.hostPort(),
            j.info().ipv4().address(), p.containerPort()));
      }
    }
    return new NodeFirewall(nets, published);
  }

  static DnsRecords dns(List<Join> joins, List<CnmService> services, Map<String, NetworkInfo> networks) {
    Map<String, Set<String>> sandboxes = new HashMap<>();
    Map<String, Map<String, List<IpAddress>>> names = new HashMap<>();
    Map<String, String> networkNames = new HashMap<>();
    networks.keySet().forEach(k -> networkNames.put(k, k.substring(k.indexOf('/') + 1)));
    for (Join j : joins) {
      if (j.info().netnsPath() == null || j.info().ipv4() == null) {
        continue;
      }
      sandboxes.computeIfAbsent(j.info().netnsPath(), p -> new HashSet<>()).add(j.network().key());
      Map<String, List<IpAddress>> m = names.computeIfAbsent(j.network().key(), k -> new HashMap<>());
      // Docker resolves a container by its name and aliases; here the sandbox's name, the endpoint's and its aliases.
      Set<String> all = new java.util.LinkedHashSet<>();
      all.add(j.sandboxName());
      all.add(j.endpoint().getMetadata().getName());
      if (j.endpoint().getSpec().getAliases() != null) {
        all.addAll(j.endpoint().getSpec().getAliases());
      }
      for (String n : all) {
        m.computeIfAbsent(n.toLowerCase(java.util.Locale.ROOT), x -> new ArrayList<>()).add(j.info().ipv4().address());
      }
    }
    for (CnmService s : services) {
      if (s.getSpec() == null || s.getSpec().getNetworks() == null) {
        continue;
      }
      String ns = s.getMetadata().getNamespace();
      for (String network : s.getSpec().getNetworks()) {
        String netKey = key(ns, network);
        List<IpAddress> backends = joins.stream().filter(j -> j.network().key().equals(netKey) && j.info().ipv4() != null)
            .filter(j -> selects(s, j.endpoint())).map(j -> j.info().ipv4().address()).toList();
        Map<String, List<IpAddress>> m = names.computeIfAbsent(netKey, k -> new HashMap<>());
        m.put("tasks." + s.getMetadata().getName(), backends);
        if (s.getSpec().endpointModeOrDefault() == EndpointMode.DNSRR) {
          m.put(s.getMetadata().getName(), backends);
        } else if (s.getStatus() != null) {
          s.getStatus().getVirtualIPs().stream().filter(v -> v.getNetwork().equals(network)).map(VirtualIP::getAddress)
              .findFirst().ifPresent(vip -> m.put(s.getMetadata().getName(), List.of(Cidr.parse(vip).address())));
        }
      }
    }
    return new DnsRecords(sandboxes, names, networkNames);
  }

  static boolean selects(CnmService s, CnmEndpoint ep) {
    Map<String, String> sel = s.getSpec().getSelector();
    Map<String, String> labels = ep.getMetadata().getLabels();
    return sel != null && !sel.isEmpty() && labels != null && labels.entrySet().containsAll(sel.entrySet());
  }
}
