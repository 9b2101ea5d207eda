package io.cnm.daemon.agent;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.api.v1alpha1.BridgeOptions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.EndpointMode;
import io.cnm.api.v1alpha1.MacvlanOptions;
import io.cnm.api.v1alpha1.OverlayOptions;
import io.cnm.api.v1alpha1.PortBinding;
import io.cnm.daemon.dns.DnsRecords;
import io.cnm.daemon.dns.ShardedMap;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.driver.macvlan.MacvlanDriver;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.lb.Balancer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What this node must look like, computed purely from its two inputs: the API objects bound to
 * this node (endpoints, plus networks and services) and the gossip's endpoint table (what other
 * nodes hold). Out come the networks present here (those with at least one local endpoint), the
 * joins with their sandbox paths, each cluster network's remote peers, the DNS records, the
 * records this node publishes to the gossip, and the endpoints that cannot be realized. No I/O:
 * the agent applies the differences.
 *
 * @param peers per network key, the endpoints of other nodes (overlay FDB and neighbour entries)
 * @param published per network ID, the endpoint records this node owns, keyed by endpoint key
 * @param publishedBackends per network ID, the service-backend records this node owns
 * @param services the services on the networks present here, with their serving backends
 * @param balancers per sandbox path, the VIPs its clients reach and their backends
 * @param ingress this node's leg on the ingress network, or null where there is none
 * @param publishing the services with published ports (every node opens the ingress ones)
 * @param meshBackends other nodes' backend weights per service, from the ingress network's gossip
 * @param encryptedVnis the VNIs of the encrypted overlays present here: their VXLAN goes through ESP only
 * @param encryptedPeers the nodes (underlay address) this one exchanges encrypted overlay traffic with, and each one's ESP session
 */
public record DesiredState(Map<String, NetworkInfo> networks, List<Join> joins, DnsRecords dns, List<Problem> problems,
    Map<String, Set<Peer>> peers, Map<String, Map<String, EndpointRecord>> published,
    Map<String, Map<String, ServiceBackendRecord>> publishedBackends, List<ServiceView> services, Map<String, Balancer> balancers,
    Ingress ingress, List<CnmService> publishing, List<ServiceBackendRecord> meshBackends, Set<Integer> encryptedVnis,
    Map<IpAddress, Integer> encryptedPeers) {

  /**
   * This node on the ingress network (seed: "Ingress Design"): the network (with the node's
   * address as its {@link OverlayDriver#NODE_ADDRESS} label) and the address.
   */
  public record Ingress(NetworkInfo network, Cidr address) {}

  /**
   * An endpoint to realize.
   *
   * @param names what the embedded DNS answers for it (see {@link #names(CnmEndpoint, String)})
   */
  public record Join(CnmEndpoint endpoint, NetworkInfo network, EndpointInfo info, String sandboxName, List<String> names) {
    public Join(CnmEndpoint endpoint, NetworkInfo network, EndpointInfo info, String sandboxName) {
      this(endpoint, network, info, sandboxName, DesiredState.names(endpoint, sandboxName));
    }
  }

  /**
   * What the last computation made of each endpoint and network object, by identity: an informer
   * replaces an object whenever it changes, so the same instance means the same inputs. A pass
   * then builds anew only what changed (and a reused join compares equal by identity), instead of
   * parsing every endpoint's addresses again. One per agent, used from its thread only.
   */
  public static final class Memo {
    private Map<CnmEndpoint, Join> joins = new java.util.IdentityHashMap<>();
    private Map<CnmEndpoint, Join> nextJoins = new java.util.IdentityHashMap<>();
    private Map<CnmNetwork, NetworkInfo> networks = new java.util.IdentityHashMap<>();
    private Map<CnmNetwork, NetworkInfo> nextNetworks = new java.util.IdentityHashMap<>();
    private DnsRecords dns;
    private List<Join> dnsJoins = List.of();
    private Set<Join> dnsJoinSet = identitySet(List.of());
    private List<ServiceView> dnsServices;
    private Map<String, NetworkInfo> dnsNetworks;
    private Map<String, List<EndpointRecord>> dnsOthers;

    NetworkInfo network(String key, CnmNetwork net) {
      NetworkInfo info = nextNetworks.containsKey(net) ? nextNetworks.get(net) : networks.get(net);
      if (info == null || !info.key().equals(key)) {
        info = networkInfo(key, net);
      }
      nextNetworks.put(net, info);
      return info;
    }

    /**
     * Last computation's join of this very endpoint object, when its network is the very object it
     * was made from too: then the endpoint is still bound here and ready, and its network usable,
     * without looking again. What can change around them (drivers, pods, the sandbox) is still asked.
     */
    Join kept(CnmEndpoint ep, Map<String, CnmNetwork> byKey) {
      Join j = joins.get(ep);
      if (j == null) {
        return null;
      }
      CnmNetwork net = byKey.get(j.network().key());
      return net != null && networks.get(net) == j.network() ? j : null;
    }

    /**
     * Last computation's records when they were made from the very same joins, in the same order,
     * and equal services, networks and remote records: the embedded DNS then keeps its encoded
     * answers (it encodes anew for every new snapshot). When only some joins came or went, the
     * last records with those changed ({@link DesiredState#dns(DnsRecords, List, List, List, List, Map)}):
     * one endpoint's change costs that endpoint's names, not every name on the node.
     */
    DnsRecords dns(List<Join> joins, List<ServiceView> services, Map<String, NetworkInfo> networks,
        Map<String, List<EndpointRecord>> others) {
      boolean sameAround = dns != null && services.equals(dnsServices) && networks.equals(dnsNetworks) && others.equals(dnsOthers);
      if (sameAround && sameInstances(joins, dnsJoins)) {
        return dns;
      }
      if (sameAround) {
        List<Join> added = new ArrayList<>();
        for (Join j : joins) {
          if (!dnsJoinSet.contains(j)) {
            added.add(j);
          }
        }
        List<Join> removed = new ArrayList<>();
        if (joins.size() - added.size() < dnsJoinSet.size()) {
          Set<Join> now = identitySet(joins);
          dnsJoinSet.forEach(j -> {
            if (!now.contains(j)) {
              removed.add(j);
            }
          });
        }
        if (added.size() + removed.size() <= 8 + joins.size() / 4) { // beyond that, a whole computation costs less
          dns = DesiredState.dns(dns, removed, added, joins, services, others);
          removed.forEach(dnsJoinSet::remove);
          dnsJoinSet.addAll(added);
          dnsJoins = joins;
          return dns;
        }
      }
      dns = DesiredState.dns(joins, services, networks, others);
      dnsJoins = joins;
      dnsJoinSet = identitySet(joins);
      dnsServices = services;
      dnsNetworks = networks;
      dnsOthers = others;
      return dns;
    }

    private static Set<Join> identitySet(List<Join> joins) {
      Set<Join> set = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      set.addAll(joins);
      return set;
    }

    private static boolean sameInstances(List<Join> a, List<Join> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i) != b.get(i)) {
          return false;
        }
      }
      return true;
    }

    Join join(CnmEndpoint ep, NetworkInfo network, String netKey, String path) {
      Join j = joins.get(ep);
      if (j == null || j.network() != network || !java.util.Objects.equals(j.info().netnsPath(), path)) {
        j = new Join(ep, network, endpointInfo(ep, netKey, path), sandboxName(ep));
      }
      nextJoins.put(ep, j);
      return j;
    }

    /** Keeps what this computation used, and only that, for the next. */
    void done() {
      // The last maps, emptied, take the next computation's: a map grown to this node's endpoints
      // once is not grown again from empty, rehashing all of them, at every pass.
      Map<CnmEndpoint, Join> lastJoins = joins;
      joins = nextJoins;
      lastJoins.clear();
      nextJoins = lastJoins;
      Map<CnmNetwork, NetworkInfo> lastNetworks = networks;
      networks = nextNetworks;
      lastNetworks.clear();
      nextNetworks = lastNetworks;
    }
  }

  /** An endpoint that cannot be realized, with a reason for its status. */
  public record Problem(CnmEndpoint endpoint, String reason, String message) {}

  /**
   * The API side of the inputs.
   *
   * @param unreadyPods namespace/name of this node's pods that are not Ready: their endpoints join but serve no service
   * @param hostNetworkPods namespace/name of this node's pods on the node's own network: nothing joins them
   */
  public record Api(List<CnmNetwork> networks, List<CnmEndpoint> endpoints, List<CnmService> services, Set<String> unreadyPods,
      Set<String> hostNetworkPods) {
    public Api(List<CnmNetwork> networks, List<CnmEndpoint> endpoints, List<CnmService> services) {
      this(networks, endpoints, services, Set.of(), Set.of());
    }
  }

  /** The gossip side of the inputs: the tables' records by network ID (this node's own may be among them). */
  public record Gossip(Map<String, List<EndpointRecord>> endpoints, Map<String, List<ServiceBackendRecord>> backends) {
    public static final Gossip NONE = new Gossip(Map.of(), Map.of());
  }

  /**
   * @param vtep this node's underlay address, written into the records it publishes
   * @param sandboxPath where a sandbox's namespace is: the netnsPath, or the pod's (empty while unknown)
   * @param remote the gossip's records
   */
  public static DesiredState compute(String node, IpAddress vtep, Api api, Drivers drivers,
      Function<CnmEndpoint, Optional<String>> sandboxPath, Gossip remote) {
    return compute(node, vtep, api, drivers, sandboxPath, remote, new Memo());
  }

  /** As above, reusing what {@code memo} kept of the objects that did not change since its last use. */
  public static DesiredState compute(String node, IpAddress vtep, Api api, Drivers drivers,
      Function<CnmEndpoint, Optional<String>> sandboxPath, Gossip remote, Memo memo) {
    Map<String, CnmNetwork> byKey = new HashMap<>();
    api.networks().forEach(n -> byKey.put(key(n.getMetadata().getNamespace(), n.getMetadata().getName()), n));
    Map<String, NetworkInfo> networks = new LinkedHashMap<>();
    List<Join> joins = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (CnmEndpoint ep : api.endpoints()) {
      Join kept = memo.kept(ep, byKey);
      String netKey;
      CnmNetwork net;
      if (kept != null) {
        netKey = kept.network().key();
        net = byKey.get(netKey);
      } else {
        if (ep.getStatus() == null || !node.equals(ep.getStatus().getNodeName()) || !ready(ep)
            || ep.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        netKey = key(ep.getMetadata().getNamespace(), ep.getSpec().getNetwork());
        net = byKey.get(netKey);
        if (net == null || net.getStatus() == null || net.getStatus().getNetworkId() == null) {
          continue;
        }
        if (Boolean.TRUE.equals(net.getSpec().getIngress())) {
          problems.add(new Problem(ep, "IngressNetwork", "network " + net.getMetadata().getName()
              + " is the ingress network: it carries the routing mesh between nodes, endpoints cannot join it"));
          continue;
        }
      }
      String driverName = net.getSpec().driverOrDefault();
      Optional<Driver> driver = drivers.get(driverName);
      if (driver.isEmpty()) {
        problems.add(new Problem(ep, "DriverUnavailable", "the " + driverName + " driver is not available on node " + node
            + ": " + drivers.whyMissing(driverName)));
        continue;
      }
      NetworkInfo info = networks.containsKey(netKey) ? networks.get(netKey) : memo.network(netKey, net);
      Optional<Driver.Refusal> refused = driver.get().refusal(info);
      if (refused.isPresent()) {
        problems.add(new Problem(ep, refused.get().reason(), "network " + info.name() + ": " + refused.get().message() + " (node "
            + node + ")"));
        continue;
      }
      String pod = ep.getSpec().getSandbox().getPod();
      if (pod != null && api.hostNetworkPods().contains(key(ep.getMetadata().getNamespace(), pod))) {
        // Its namespace is the node's: an interface and a default route there would be the node's own.
        problems.add(new Problem(ep, "HostNetworkPod", "pod " + pod + " uses the node's network (hostNetwork: true); no interface is "
            + "added to the node's own namespace"));
        continue;
      }
      Optional<String> path = sandboxPath.apply(ep);
      if (path.isEmpty() && driver.get().needsSandbox()) {
        problems.add(new Problem(ep, "SandboxNotFound", "the sandbox's network namespace was not found on node " + node));
        continue;
      }
      networks.putIfAbsent(netKey, info);
      joins.add(memo.join(ep, info, netKey, path.orElse(null)));
    }
    memo.done();
    Ingress ingress = ingress(node, api.networks(), drivers);
    if (ingress != null) {
      networks.put(ingress.network().key(), ingress.network());
    }
    Map<String, Map<String, EndpointRecord>> published = published(node, vtep, joins);
    if (ingress != null && vtep != null) {
      IpAddress ip = ingress.address().address();
      published.computeIfAbsent(ingress.network().networkId(), k -> new HashMap<>()).put(INGRESS_LEG + node,
          new EndpointRecord(ingress.network().networkId(), node, List.of(), ip, MacAddresses.fromIpv4(ip), vtep));
    }
    Map<String, List<EndpointRecord>> others = others(node, networks, remote.endpoints(), EndpointRecord::node);
    Map<String, List<ServiceBackendRecord>> otherBackends = others(node, networks, remote.backends(), ServiceBackendRecord::node);
    Map<String, Set<Peer>> peers = new HashMap<>();
    for (NetworkInfo n : networks.values()) {
      if (n.cluster()) {
        Set<Peer> set = new HashSet<>();
        others.getOrDefault(n.key(), List.of()).forEach(r -> set.add(new Peer(r.ip(), r.mac(), r.vtep())));
        peers.put(n.key(), set);
      }
    }
    List<ServiceView> services = ServiceViews.of(api.services(), joins, networks, otherBackends, ep -> serving(ep, api.unreadyPods()));
    List<CnmService> publishing = api.services().stream().filter(s -> s.getStatus() != null && !s.getStatus().getPublishedPorts().isEmpty())
        .toList();
    Map<String, Map<String, ServiceBackendRecord>> publishedBackends = ServiceViews.published(node, services);
    List<ServiceBackendRecord> mesh = List.of();
    if (ingress != null) {
      String id = ingress.network().networkId();
      publishedBackends.computeIfAbsent(id, k -> new HashMap<>()).putAll(ServiceViews.meshRecords(node, id, ingress.address().address(),
          publishing, services));
      mesh = otherBackends.getOrDefault(ingress.network().key(), List.of());
    }
    Set<Integer> encryptedVnis = new java.util.TreeSet<>();
    Map<IpAddress, Integer> encryptedPeers = new HashMap<>();
    for (NetworkInfo n : networks.values()) {
      if (n.cluster() && n.vni() > 0 && n.flag(OverlayDriver.ENCRYPTED, false)) {
        encryptedVnis.add(n.vni());
        for (EndpointRecord r : others.getOrDefault(n.key(), List.of())) {
          if (r.session() != EndpointRecord.NO_SESSION && r.vtep() != null) {
            encryptedPeers.merge(r.vtep(), r.session(), Math::max); // a previous life's record not yet swept: either way, one answer
          }
        }
      }
    }
    return new DesiredState(networks, joins, memo.dns(joins, services, networks, others), problems, peers, published,
        publishedBackends, services, ServiceViews.balancers(joins, services), ingress, publishing, mesh, encryptedVnis, encryptedPeers);
  }

  /** Key prefix of a node's own record on the ingress network (its leg, not an endpoint). */
  static final String INGRESS_LEG = "ingress-node:";

  /** This node's leg on the ingress network, once the operator gave it an address there. */
  static Ingress ingress(String node, List<CnmNetwork> networks, Drivers drivers) {
    if (drivers.get(OverlayDriver.DRIVER_NAME).isEmpty()) {
      return null;
    }
    for (CnmNetwork n : networks) {
      var st = n.getStatus();
      if (n.getSpec() == null || !Boolean.TRUE.equals(n.getSpec().getIngress()) || st == null || st.getNetworkId() == null
          || st.getIngressAddresses() == null || !st.getIngressAddresses().containsKey(node) || n.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Cidr address = Cidr.parse(st.getIngressAddresses().get(node));
      NetworkInfo info = networkInfo(key(n.getMetadata().getNamespace(), n.getMetadata().getName()), n);
      return new Ingress(info.withOption(OverlayDriver.NODE_ADDRESS, address.toString()), address);
    }
    return null;
  }

  /** Docker quiesces a task that is not healthy: an endpoint of a pod that is not Ready, or of weight 0, serves no service. */
  static boolean serving(CnmEndpoint ep, Set<String> unreadyPods) {
    String pod = ep.getSpec().getSandbox().getPod();
    return ep.weight() > 0 && (pod == null || !unreadyPods.contains(key(ep.getMetadata().getNamespace(), pod)));
  }

  static String key(String ns, String name) {
    return ns + "/" + name;
  }

  static boolean ready(CnmEndpoint ep) {
    return ep.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The driver-neutral description: typed CRD options become labels next to the free options. */
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
    Map<String, String> options = new HashMap<>();
    if (n.getSpec().getOptions() != null) {
      options.putAll(n.getSpec().getOptions());
    }
    if (st.getDriverState() != null) {
      options.putAll(st.getDriverState()); // what a global-scope remote driver's AllocateNetwork answered, as swarm passes it on
    }
    int mtu = 0;
    BridgeOptions b = n.getSpec().getBridge();
    if (b != null) {
      put(options, BridgeDriver.NAME, b.getBridgeName());
      put(options, BridgeDriver.ICC, b.getEnableIcc());
      put(options, BridgeDriver.MASQUERADE, b.getEnableIpMasquerade());
      mtu = b.getMtu() != null ? b.getMtu() : 0;
    }
    OverlayOptions o = n.getSpec().getOverlay();
    if (o != null) {
      put(options, OverlayDriver.ENCRYPTED, o.getEncrypted());
      mtu = o.getMtu() != null ? o.getMtu() : mtu;
    }
    MacvlanOptions m = n.getSpec().getMacvlan();
    if (m != null) {
      if (m.getParent() != null) {
        options.put(MacvlanDriver.PARENT, m.getParent()); // an interface name: its case is its own
      }
      put(options, MacvlanDriver.MODE, m.getMode());
    }
    boolean cluster = "cluster".equalsIgnoreCase(st.getScope());
    return new NetworkInfo(key, st.getNetworkId(), n.getSpec().driverOrDefault(), subnets, gateways, n.getSpec().internalEnabled(),
        mtu, st.getVni() == null ? 0 : st.getVni(), cluster, options);
  }

  private static void put(Map<String, String> options, String k, Object v) {
    if (v != null) {
      options.put(k, v.toString().toLowerCase(Locale.ROOT));
    }
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

  /** Docker resolves a container by its name and aliases; here the sandbox's name, the endpoint's and its aliases. */
  static List<String> names(CnmEndpoint ep, String sandboxName) {
    Set<String> all = new LinkedHashSet<>();
    all.add(sandboxName.toLowerCase(Locale.ROOT));
    all.add(ep.getMetadata().getName().toLowerCase(Locale.ROOT));
    if (ep.getSpec().getAliases() != null) {
      ep.getSpec().getAliases().forEach(a -> all.add(a.toLowerCase(Locale.ROOT)));
    }
    return List.copyOf(all);
  }

  /** The records of this node's endpoints on cluster networks, for the gossip. */
  static Map<String, Map<String, EndpointRecord>> published(String node, IpAddress vtep, List<Join> joins) {
    Map<String, Map<String, EndpointRecord>> out = new HashMap<>();
    for (Join j : joins) {
      if (j.network().cluster() && j.info().ipv4() != null && j.info().mac() != null && vtep != null) {
        out.computeIfAbsent(j.network().networkId(), k -> new HashMap<>()).put(j.info().key(),
            new EndpointRecord(j.network().networkId(), node, j.names(), j.info().ipv4().address(), j.info().mac(), vtep));
      }
    }
    return out;
  }

  static IpAddress vip(CnmService s, String network) {
    if (s.getStatus() == null || s.getSpec().endpointModeOrDefault() == EndpointMode.DNSRR) {
      return null;
    }
    return s.getStatus().getVirtualIPs().stream().filter(v -> v.getNetwork().equals(network)).map(v -> Cidr.parse(v.getAddress()).address())
        .findFirst().orElse(null);
  }

  /** Other nodes' records of the cluster networks present here, by network key. */
  static <T> Map<String, List<T>> others(String node, Map<String, NetworkInfo> networks, Map<String, List<T>> remote,
      Function<T, String> owner) {
    Map<String, List<T>> out = new HashMap<>();
    for (NetworkInfo n : networks.values()) {
      if (!n.cluster()) {
        continue;
      }
      for (T r : remote.getOrDefault(n.networkId(), List.of())) {
        if (!owner.apply(r).equals(node)) {
          out.computeIfAbsent(n.key(), k -> new ArrayList<>()).add(r);
        }
      }
    }
    return out;
  }

  static DnsRecords dns(List<Join> joins, List<ServiceView> services, Map<String, NetworkInfo> networks,
      Map<String, List<EndpointRecord>> others) {
    Map<String, Set<String>> sandboxes = new HashMap<>();
    Map<String, Map<String, List<IpAddress>>> names = new HashMap<>();
    Map<String, String> networkNames = new HashMap<>();
    networks.values().forEach(n -> networkNames.put(n.key(), n.name()));
    for (Join j : joins) {
      if (j.info().netnsPath() == null || j.info().ipv4() == null) {
        continue;
      }
      sandboxes.computeIfAbsent(j.info().netnsPath(), p -> new HashSet<>()).add(j.network().key());
      Map<String, List<IpAddress>> m = names.computeIfAbsent(j.network().key(), k -> new HashMap<>());
      for (String n : j.names()) {
        m.computeIfAbsent(n, x -> new ArrayList<>()).add(j.info().ipv4().address());
      }
    }
    others.forEach((netKey, records) -> {
      Map<String, List<IpAddress>> m = names.computeIfAbsent(netKey, k -> new HashMap<>());
      for (EndpointRecord r : records) {
        r.names().forEach(n -> m.computeIfAbsent(n, x -> new ArrayList<>()).add(r.ip()));
      }
    });
    names.values().forEach(m -> m.replaceAll((n, ips) -> sorted(ips)));
    for (ServiceView v : services) {
      Map<String, List<IpAddress>> m = names.computeIfAbsent(v.network().key(), k -> new HashMap<>());
      serviceNames(v).forEach((n, ips) -> m.put(n, ips));
    }
    sandboxes.replaceAll((p, nets) -> Set.copyOf(nets));
    names.replaceAll((k, m) -> ShardedMap.copyOf(m));
    return new DnsRecords(ShardedMap.copyOf(sandboxes), names, networkNames);
  }

  /**
   * {@code before} (made from these services and other nodes' records) after {@code removed} left and
   * {@code added} joined ({@code joins}: all of them now): only the sandboxes and names they touch
   * are made anew, the rest is shared. It equals what {@link #dns(List, List, Map, Map)} makes of
   * {@code joins}: a name a service holds stays the service's, addresses are kept sorted.
   */
  static DnsRecords dns(DnsRecords before, List<Join> removed, List<Join> added, List<Join> joins, List<ServiceView> services,
      Map<String, List<EndpointRecord>> others) {
    Map<String, Set<String>> held = new HashMap<>(); // per network, the names its services hold
    services.forEach(v -> held.computeIfAbsent(v.network().key(), k -> new HashSet<>()).addAll(serviceNames(v).keySet()));
    Map<String, Map<String, List<IpAddress>>> names = new HashMap<>(); // per network, each touched name's addresses now
    Map<String, Set<String>> sandboxes = new HashMap<>(); // each touched sandbox's networks now
    Set<Map.Entry<String, String>> left = new HashSet<>(); // (sandbox, network) an endpoint left: is another still there?
    for (Join j : removed) {
      if (j.info().netnsPath() != null && j.info().ipv4() != null) {
        edit(before, names, held, j).forEach(ips -> ips.remove(j.info().ipv4().address())); // one occurrence: another may hold it too
        left.add(Map.entry(j.info().netnsPath(), j.network().key()));
      }
    }
    for (Join j : added) {
      if (j.info().netnsPath() != null && j.info().ipv4() != null) {
        edit(before, names, held, j).forEach(ips -> ips.add(j.info().ipv4().address()));
        networksOf(before, sandboxes, j.info().netnsPath()).add(j.network().key());
      }
    }
    if (!left.isEmpty()) {
      for (Join j : joins) {
        if (j.info().netnsPath() != null && j.info().ipv4() != null) {
          left.remove(Map.entry(j.info().netnsPath(), j.network().key()));
        }
      }
      left.forEach(e -> networksOf(before, sandboxes, e.getKey()).remove(e.getValue()));
    }
    Map<String, Map<String, List<IpAddress>>> tables = new HashMap<>(before.namesOfNetwork());
    names.forEach((net, changed) -> {
      ShardedMap<String, List<IpAddress>> table = changed(tables.getOrDefault(net, Map.of()), changed, DesiredState::sorted);
      if (table.isEmpty() && !others.containsKey(net) && !held.containsKey(net)) {
        tables.remove(net); // as a whole computation: no name, no table
      } else {
        tables.put(net, table);
      }
    });
    return new DnsRecords(changed(before.networksOfSandbox(), sandboxes, Set::copyOf), tables, before.networkNames());
  }

  /** {@code table} with each changed entry put, made immutable by {@code frozen}, or removed where nothing is left of it. */
  private static <V, C extends java.util.Collection<?>> ShardedMap<String, V> changed(Map<String, V> table, Map<String, C> changes,
      Function<C, V> frozen) {
    Map<String, V> puts = new HashMap<>();
    List<String> gone = new ArrayList<>();
    changes.forEach((k, c) -> {
      if (c.isEmpty()) {
        gone.add(k);
      } else {
        puts.put(k, frozen.apply(c));
      }
    });
    return ShardedMap.copyOf(table).with(puts, gone);
  }

  /** The address lists of {@code j}'s names that are not a service's, as they will be: copies to change, made once per name. */
  private static List<List<IpAddress>> edit(DnsRecords before, Map<String, Map<String, List<IpAddress>>> names,
      Map<String, Set<String>> held, Join j) {
    String net = j.network().key();
    Map<String, List<IpAddress>> now = names.computeIfAbsent(net, k -> new HashMap<>());
    List<List<IpAddress>> out = new ArrayList<>();
    for (String n : j.names()) {
      if (!held.getOrDefault(net, Set.of()).contains(n)) {
        out.add(now.computeIfAbsent(n, x -> new ArrayList<>(before.namesOfNetwork().getOrDefault(net, Map.of()).getOrDefault(n, List.of()))));
      }
    }
    return out;
  }

  private static Set<String> networksOf(DnsRecords before, Map<String, Set<String>> sandboxes, String path) {
    return sandboxes.computeIfAbsent(path, p -> new HashSet<>(before.networksOfSandbox().getOrDefault(p, Set.of())));
  }

  /** What a service answers for on its network: tasks.NAME always, NAME itself by its VIP or (dnsrr) its backends. */
  private static Map<String, List<IpAddress>> serviceNames(ServiceView v) {
    Map<String, List<IpAddress>> out = new HashMap<>();
    out.put("tasks." + v.name(), v.addresses());
    if (v.service().getSpec().endpointModeOrDefault() == EndpointMode.DNSRR) {
      out.put(v.name(), v.addresses());
    } else if (v.vip() != null) {
      out.put(v.name(), List.of(v.vip()));
    }
    return out;
  }

  private static List<IpAddress> sorted(List<IpAddress> ips) {
    List<IpAddress> out = new ArrayList<>(ips);
    out.sort(null); // an order of their own, not the informer's: the same records however they were made
    return List.copyOf(out);
  }

  static boolean selects(CnmService s, CnmEndpoint ep) {
    Map<String, String> sel = s.getSpec().getSelector();
    Map<String, String> labels = ep.getMetadata().getLabels();
    return sel != null && !sel.isEmpty() && labels != null && labels.entrySet().containsAll(sel.entrySet());
  }
}
