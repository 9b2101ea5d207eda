package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.Drivers;
import static io.cnm.api.v1alpha1.Ipam.DEFAULT_DRIVER;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.Scope;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.plugin.ipam.IpamDriverApi;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's native IPAM driver (seed: "IP Address Management"): subnets for networks from the
 * default pools (or as given), addresses for endpoints, VIPs for services, VNIs for overlays.
 * Pure and in memory; every method is atomic (synchronized). It never talks to the API: the
 * reconcilers write each decision into status, and on start {@code restore*} rebuilds this state
 * from those statuses before anything new is allocated.
 *
 * <p>Keys are {@code namespace/name}. A subnet never overlaps another network's subnet (of any
 * scope: a node carries local and cluster networks side by side) nor a node's own interface
 * subnet.
 */
public final class Ipam {
  public static final int VNI_MIN = 4096;
  public static final int VNI_MAX = 16777215;

  private final List<PoolSpec> localPools;
  private final List<PoolSpec> clusterPools;
  private final Map<String, Space> networks = new LinkedHashMap<>();
  private final Map<String, List<Cidr>> nodeSubnets = new HashMap<>();
  private final IdAllocator vnis = new IdAllocator(VNI_MIN, VNI_MAX);
  private IpamPlugin plugins = IpamPlugin.NONE;
  /** Remote allocations a failed network allocation could not give back at once; given back on the next remote call. */
  private final List<RemoteSpace> orphans = new ArrayList<>();

  public Ipam(List<PoolSpec> localPools, List<PoolSpec> clusterPools) {
    this.localPools = List.copyOf(localPools);
    this.clusterPools = List.copyOf(clusterPools);
  }

  /** Docker's defaults: local 172.17-31.0.0/16 then 192.168.0.0/16 in /20s; cluster 10.0.0.0/8 in /24s. */
  public static Ipam withDockerDefaults() {
    return new Ipam(PoolSpec.parseList("172.17.0.0/16@16,172.18.0.0/15@16,172.20.0.0/14@16,172.24.0.0/13@16,192.168.0.0/16@20"),
        PoolSpec.parseList("10.0.0.0/8@24"));
  }

  /** Remote IPAM drivers: networks whose ipam.driver is not "default" get their pools and addresses from them. */
  public synchronized Ipam withPlugins(IpamPlugin plugins) {
    this.plugins = plugins;
    return this;
  }

  /** The node's own interface subnets, which no network may overlap. */
  public synchronized void setNodeSubnets(String node, List<Cidr> subnets) {
    nodeSubnets.put(node, List.copyOf(subnets));
  }

  public synchronized Optional<NetworkAllocation> network(String key) {
    return Optional.ofNullable(networks.get(key)).map(n -> n.allocation);
  }

  /**
   * The network's subnets, gateways and VNI: the existing allocation, or a new one. The IPAM part
   * of a network cannot change once allocated (Docker networks cannot be updated either); a spec
   * that asks for other subnets is refused and the allocation kept.
   */
  public synchronized NetworkAllocation allocateNetwork(String key, CnmNetworkSpec spec) {
    Space existing = networks.get(key);
    List<IpamConfig> configs = configs(spec);
    if (existing != null) {
      checkUnchanged(existing, spec, configs);
      return existing.allocation;
    }
    if (!DEFAULT_DRIVER.equals(ipamDriver(spec))) {
      return allocateRemote(key, spec, configs);
    }
    List<NetworkAllocation.Subnet> subnets = new ArrayList<>();
    Set<IpAddress> reserved = new HashSet<>();
    if (configs.isEmpty()) {
      if (Drivers.usesIpam(spec.driverOrDefault())) {
        Cidr cidr = nextFreeSubnet(key, spec.effectiveScope());
        subnets.add(new NetworkAllocation.Subnet(cidr, firstUsable(cidr), null));
      }
    } else {
      for (IpamConfig cfg : configs) {
        Cidr cidr = Cidr.parse(cfg.getSubnet()).masked();
        requireNoOverlap(key, cidr, onHostLan(spec));
        for (NetworkAllocation.Subnet s : subnets) {
          if (s.cidr().overlaps(cidr)) {
            throw new CnmException.InvalidConfig(Reasons.INVALID_SPEC, "subnets " + s.cidr() + " and " + cidr + " overlap");
          }
        }
        IpAddress gw = cfg.getGateway() != null ? IpAddress.parse(cfg.getGateway()) : firstUsable(cidr);
        Cidr range = cfg.getIpRange() == null ? null : Cidr.parse(cfg.getIpRange());
        if (cfg.getAuxAddresses() != null) {
          cfg.getAuxAddresses().values().forEach(a -> reserved.add(IpAddress.parse(a)));
        }
        subnets.add(new NetworkAllocation.Subnet(cidr, gw, range));
      }
    }
    if (spec.ipv6Enabled() && subnets.stream().noneMatch(s -> s.cidr().family() == 6)) {
      throw new CnmException.InvalidConfig(Reasons.INVALID_SPEC,
          "enableIPv6 needs an IPv6 subnet in ipam.config (the IPAM has no default IPv6 pool)");
    }
    Integer vni = null;
    if (Drivers.OVERLAY.equals(spec.driverOrDefault())) {
      Integer wanted = spec.getOverlay() == null ? null : spec.getOverlay().getVni();
      vni = wanted != null ? vnis.claim(key, wanted) : vnis.allocate(key);
    }
    return register(key, spec.effectiveScope(), new NetworkAllocation(subnets, vni), reserved);
  }

  private NetworkAllocation register(String key, Scope scope, NetworkAllocation allocation, Set<IpAddress> reserved) {
    Set<IpAddress> all = new HashSet<>(reserved);
    allocation.subnets().stream().map(NetworkAllocation.Subnet::gateway).filter(Objects::nonNull).forEach(all::add);
    networks.put(key, new NetworkSpace(key, scope, allocation, all));
    return allocation;
  }

  /**
   * As {@link #allocateNetwork(String, CnmNetworkSpec)}, deciding conflicts the same way whatever
   * order networks arrive in: a network that holds the subnet or VNI asked for gives it up when
   * {@code mayTake} says so (the reconciler's rule: it is younger and has nothing realized). Each
   * network that gave way is in {@code gaveWay}, with nothing allocated any more.
   */
  public synchronized NetworkAllocation allocateNetwork(String key, CnmNetworkSpec spec, java.util.function.Predicate<String> mayTake,
      List<String> gaveWay) {
    for (int attempt = 0; ; attempt++) {
      try {
        return allocateNetwork(key, spec);
      } catch (CnmException.Conflict e) {
        String holder = e.holder().orElse(null);
        if (holder == null || holder.equals(key) || !networks.containsKey(holder) || attempt > 16 || !mayTake.test(holder)) {
          throw e;
        }
        networks.get(holder).releaseAll();
        networks.remove(holder);
        vnis.release(holder);
        gaveWay.add(holder);
      }
    }
  }

  /**
   * As {@link #allocateEndpoint(String, String, String, String, String, String)}, with a static
   * address held by another owner taken from it when {@code mayTake} says so (younger, not
   * realized). Each owner that gave way is in {@code gaveWay}, holding nothing on the network.
   */
  public synchronized EndpointAllocation allocateEndpoint(String networkKey, String owner, String node, String ipv4, String ipv6,
      String mac, java.util.function.Predicate<String> mayTake, List<String> gaveWay) {
    for (int attempt = 0; ; attempt++) {
      try {
        return allocateEndpoint(networkKey, owner, node, ipv4, ipv6, mac);
      } catch (CnmException.Conflict e) {
        String holder = e.holder().orElse(null);
        if (holder == null || holder.equals(owner) || attempt > 4 || !mayTake.test(holder)) {
          throw e;
        }
        space(networkKey).releaseEndpoint(holder);
        gaveWay.add(holder);
      }
    }
  }

  /**
   * A network whose IPAM is a remote driver, as libnetwork allocates one: RequestPool per
   * configured pool (or one in the driver's default space), the gateway first with
   * RequestAddressType, then the aux addresses. A failure gives back what was taken.
   */
  private NetworkAllocation allocateRemote(String key, CnmNetworkSpec spec, List<IpamConfig> configs) {
    retryOrphans();
    String driver = ipamDriver(spec);
    boolean cluster = spec.effectiveScope() == Scope.CLUSTER;
    Map<String, String> options = spec.getIpam().getOptions() == null ? Map.of() : spec.getIpam().getOptions();
    List<NetworkAllocation.Subnet> subnets = new ArrayList<>();
    List<String> poolIds = new ArrayList<>();
    Map<String, List<IpAddress>> held = new LinkedHashMap<>();
    try {
      for (IpamConfig cfg : configs.isEmpty() ? List.of(new IpamConfig()) : configs) {
        Cidr want = cfg.getSubnet() == null ? null : Cidr.parse(cfg.getSubnet()).masked();
        Cidr range = cfg.getIpRange() == null ? null : Cidr.parse(cfg.getIpRange());
        IpamPlugin.Pool pool = plugins.requestPool(driver, cluster, want, range, options, want != null && want.family() == 6);
        poolIds.add(pool.poolId());
        List<IpAddress> mine = new ArrayList<>();
        held.put(pool.poolId(), mine);
        requireNoOverlap(key, pool.pool(), onHostLan(spec));
        IpAddress gateway = null;
        if (Drivers.usesIpam(spec.driverOrDefault())) {
          IpAddress wantGw = cfg.getGateway() == null ? null : IpAddress.parse(cfg.getGateway());
          gateway = plugins.requestAddress(driver, pool.poolId(), wantGw,
              Map.of(IpamDriverApi.REQUEST_ADDRESS_TYPE, IpamDriverApi.GATEWAY)).address();
          mine.add(gateway);
        }
        if (cfg.getAuxAddresses() != null) {
          for (String aux : cfg.getAuxAddresses().values()) {
            IpAddress ip = IpAddress.parse(aux);
            if ((range == null || range.contains(ip)) && pool.pool().contains(ip)) {
              mine.add(plugins.requestAddress(driver, pool.poolId(), ip, Map.of()).address());
            }
          }
        }
        subnets.add(new NetworkAllocation.Subnet(pool.pool(), gateway, range));
      }
    } catch (CnmException e) {
      RemoteSpace partial = new RemoteSpace(key, spec.effectiveScope(), new NetworkAllocation(subnets, null, poolIds), plugins, driver,
          poolIds, held);
      try {
        partial.releaseAll();
      } catch (CnmException again) {
        orphans.add(partial);
      }
      throw e;
    }
    NetworkAllocation allocation = new NetworkAllocation(subnets, null, poolIds);
    networks.put(key, new RemoteSpace(key, spec.effectiveScope(), allocation, plugins, driver, poolIds, held));
    return allocation;
  }

  /** Gives back what failed allocations still hold on their plugins; what still fails waits for the next call. */
  private void retryOrphans() {
    orphans.removeIf(o -> {
      try {
        o.releaseAll();
        return true;
      } catch (CnmException e) {
        return false;
      }
    });
  }

  /** What failed remote allocations still hold because their plugin could not be reached: 0 once all is given back. */
  public synchronized int orphanedPools() {
    return orphans.size();
  }

  /** Rebuilds a network's allocation from its status (subnets, gateways, VNI) after a restart. */
  public synchronized NetworkAllocation restoreNetwork(String key, CnmNetworkSpec spec, List<String> subnets,
      List<String> gateways, Integer vni) {
    return restoreNetwork(key, spec, subnets, gateways, vni, List.of());
  }

  /**
   * Rebuilds a network's allocation from its status after a restart; a remote IPAM driver's
   * network with the pool IDs it recorded (the plugin still holds the pools: nothing is asked of it).
   */
  public synchronized NetworkAllocation restoreNetwork(String key, CnmNetworkSpec spec, List<String> subnets,
      List<String> gateways, Integer vni, List<String> poolIds) {
    if (networks.containsKey(key)) {
      return networks.get(key).allocation;
    }
    if (!DEFAULT_DRIVER.equals(ipamDriver(spec))) {
      return restoreRemote(key, spec, subnets, gateways, poolIds);
    }
    List<IpamConfig> configs = configs(spec);
    List<NetworkAllocation.Subnet> list = new ArrayList<>();
    Set<IpAddress> reserved = new HashSet<>();
    for (int i = 0; i < subnets.size(); i++) {
      Cidr cidr = Cidr.parse(subnets.get(i));
      requireNoOverlap(key, cidr, onHostLan(spec));
      IpAddress gw = gateways != null && i < gateways.size() && gateways.get(i) != null ? IpAddress.parse(gateways.get(i)) : null;
      Cidr range = null;
      for (IpamConfig cfg : configs) {
        if (cfg.getSubnet() != null && Cidr.parse(cfg.getSubnet()).masked().equals(cidr)) {
          range = cfg.getIpRange() == null ? null : Cidr.parse(cfg.getIpRange());
          if (cfg.getAuxAddresses() != null) {
            cfg.getAuxAddresses().values().forEach(a -> reserved.add(IpAddress.parse(a)));
          }
        }
      }
      list.add(new NetworkAllocation.Subnet(cidr, gw, range));
    }
    if (vni != null) {
      vnis.claim(key, vni);
    }
    return register(key, spec.effectiveScope(), new NetworkAllocation(list, vni), reserved);
  }

  private NetworkAllocation restoreRemote(String key, CnmNetworkSpec spec, List<String> subnets, List<String> gateways,
      List<String> poolIds) {
    if (poolIds == null || poolIds.size() != subnets.size()) {
      throw new CnmException.InvalidConfig(Reasons.INVALID_SPEC, "the status of network " + key + " records " + subnets.size()
          + " subnet(s) but " + (poolIds == null ? 0 : poolIds.size()) + " pool ID(s) of IPAM driver " + ipamDriver(spec));
    }
    List<NetworkAllocation.Subnet> list = new ArrayList<>();
    Map<String, List<IpAddress>> held = new LinkedHashMap<>();
    List<IpamConfig> configs = configs(spec);
    for (int i = 0; i < subnets.size(); i++) {
      Cidr cidr = Cidr.parse(subnets.get(i));
      IpAddress gw = gateways != null && i < gateways.size() && gateways.get(i) != null ? IpAddress.parse(gateways.get(i)) : null;
      List<IpAddress> mine = new ArrayList<>();
      if (gw != null) {
        mine.add(gw);
      }
      Cidr range = null;
      for (IpamConfig cfg : configs) {
        if (cfg.getSubnet() != null && Cidr.parse(cfg.getSubnet()).masked().equals(cidr)) {
          range = cfg.getIpRange() == null ? null : Cidr.parse(cfg.getIpRange());
          if (cfg.getAuxAddresses() != null) {
            for (String aux : cfg.getAuxAddresses().values()) {
              IpAddress ip = IpAddress.parse(aux);
              if ((range == null || range.contains(ip)) && cidr.contains(ip)) {
                mine.add(ip);
              }
            }
          }
        }
      }
      held.put(poolIds.get(i), mine);
      list.add(new NetworkAllocation.Subnet(cidr, gw, range));
    }
    NetworkAllocation allocation = new NetworkAllocation(list, null, poolIds);
    networks.put(key, new RemoteSpace(key, spec.effectiveScope(), allocation, plugins, ipamDriver(spec), poolIds, held));
    return allocation;
  }

  /**
   * Frees the network's subnets and VNI. Its endpoints and VIPs must be gone first. A remote IPAM
   * driver gets back the gateways, aux addresses and pools; when it cannot be reached this throws
   * and the network stays allocated, to be released again later.
   */
  public synchronized boolean releaseNetwork(String key) {
    Space n = networks.get(key);
    if (n != null) {
      retryOrphans();
      n.releaseAll();
    }
    vnis.release(key);
    return networks.remove(key) != null;
  }

  public synchronized EndpointAllocation allocateEndpoint(String networkKey, String owner, String node, String ipv4, String ipv6) {
    return allocateEndpoint(networkKey, owner, node, ipv4, ipv6, null);
  }

  /** @param mac the endpoint's own MAC, if it has one (a remote IPAM driver may require one) */
  public synchronized EndpointAllocation allocateEndpoint(String networkKey, String owner, String node, String ipv4, String ipv6,
      String mac) {
    return space(networkKey).allocateEndpoint(owner, node, parse(ipv4), parse(ipv6), mac, false);
  }

  /** Re-claims an endpoint's addresses from its status after a restart. */
  public synchronized EndpointAllocation restoreEndpoint(String networkKey, String owner, String node, String ipv4Cidr, String ipv6Cidr) {
    return restoreEndpoint(networkKey, owner, node, ipv4Cidr, ipv6Cidr, null);
  }

  /** @param mac the MAC recorded with the addresses (a remote IPAM driver may have been given it) */
  public synchronized EndpointAllocation restoreEndpoint(String networkKey, String owner, String node, String ipv4Cidr, String ipv6Cidr,
      String mac) {
    IpAddress v4 = ipv4Cidr == null ? null : Cidr.parse(ipv4Cidr).address();
    IpAddress v6 = ipv6Cidr == null ? null : Cidr.parse(ipv6Cidr).address();
    return space(networkKey).allocateEndpoint(owner, node, v4, v6, mac, true);
  }

  /** Frees what the owner holds on any network other than {@code keep} (its network was changed). */
  public synchronized void releaseEndpointExcept(String keep, String owner) {
    networks.forEach((k, n) -> {
      if (!k.equals(keep)) {
        n.releaseEndpoint(owner);
      }
    });
  }

  /** Frees what the owner holds on every network (the endpoint is deleted). */
  public synchronized void releaseEndpointEverywhere(String owner) {
    networks.values().forEach(n -> n.releaseEndpoint(owner));
  }

  public synchronized boolean releaseEndpoint(String networkKey, String owner) {
    Space n = networks.get(networkKey);
    return n != null && n.releaseEndpoint(owner);
  }

  public synchronized Cidr allocateVip(String networkKey, String owner) {
    return space(networkKey).allocateVip(owner, null);
  }

  public synchronized Cidr restoreVip(String networkKey, String owner, String vipCidr) {
    return space(networkKey).allocateVip(owner, Cidr.parse(vipCidr).address());
  }

  public synchronized void releaseVip(String networkKey, String owner) {
    Space n = networks.get(networkKey);
    if (n != null) {
      n.releaseVip(owner);
    }
  }

  /** Every address held, per network key, per address space ("" for cluster scope, else node), per owner. */
  public synchronized Map<String, Map<String, Map<String, IpAddress>>> allocations() {
    Map<String, Map<String, Map<String, IpAddress>>> out = new LinkedHashMap<>();
    networks.forEach((k, n) -> out.put(k, n.allocations()));
    return out;
  }

  /**
   * How full one network is: addresses held (endpoints' and VIPs, each once), IPv4 addresses left for dynamic
   * allocation (-1 when a remote driver keeps that to itself), and service VIPs.
   */
  public record Usage(long allocated, long free, int vips) {}

  /** Each allocated network's usage, by network key. */
  public synchronized Map<String, Usage> usage() {
    Map<String, Usage> out = new LinkedHashMap<>();
    networks.forEach((k, n) -> out.put(k, new Usage(n.allocatedCount(), n.freeCount(), n.vipCount())));
    return out;
  }

  /** The allocated networks' keys. */
  public synchronized Set<String> networkKeys() {
    return Set.copyOf(networks.keySet());
  }

  public synchronized int vnisInUse() {
    return vnis.inUse();
  }

  /** Addresses marked used with no owner or reservation, over all networks: 0 unless there is a bug. */
  public synchronized int leakedAddresses() {
    return networks.values().stream().mapToInt(Space::leaked).sum();
  }


  private Space space(String networkKey) {
    Space n = networks.get(networkKey);
    if (n == null) {
      throw new CnmException.Transient(Reasons.NETWORK_NOT_READY, "network " + networkKey + " has no addresses allocated yet");
    }
    return n;
  }

  private static IpAddress parse(String ip) {
    if (ip == null) {
      return null;
    }
    return IpAddress.tryParse(ip).orElseThrow(() -> new CnmException.InvalidConfig(Reasons.INVALID_SPEC, ip + " is not an IP address"));
  }

  private static List<IpamConfig> configs(CnmNetworkSpec spec) {
    return spec.getIpam() == null || spec.getIpam().getConfig() == null ? List.of() : spec.getIpam().getConfig();
  }

  private static String ipamDriver(CnmNetworkSpec spec) {
    return spec.getIpam() == null || spec.getIpam().getDriver() == null ? DEFAULT_DRIVER : spec.getIpam().getDriver();
  }

  private void checkUnchanged(Space existing, CnmNetworkSpec spec, List<IpamConfig> configs) {
    if (!configs.isEmpty() && configs.stream().allMatch(c -> c.getSubnet() != null)) {
      List<Cidr> wanted = configs.stream().map(c -> Cidr.parse(c.getSubnet()).masked()).toList();
      List<Cidr> have = existing.allocation.subnets().stream().map(NetworkAllocation.Subnet::cidr).toList();
      if (!wanted.equals(have)) {
        throw new CnmException.InvalidConfig(Reasons.IMMUTABLE_FIELD, "ipam.config cannot change once the network has addresses (it has "
            + have + "); delete and recreate the network to change its subnets");
      }
    }
    Integer wantedVni = spec.getOverlay() == null ? null : spec.getOverlay().getVni();
    if (wantedVni != null && !wantedVni.equals(existing.allocation.vni())) {
      throw new CnmException.InvalidConfig(Reasons.IMMUTABLE_FIELD,
          "overlay.vni cannot change once allocated (it is " + existing.allocation.vni() + ")");
    }
  }

  /**
   * A macvlan network's subnet is, by design, the parent interface's own L2 subnet, which the
   * nodes' interfaces are on too: the check against node subnets does not apply (nor does it in
   * Docker). Its addresses come from ipRange, or the subnet minus auxAddresses and the gateway.
   */
  private static boolean onHostLan(CnmNetworkSpec spec) {
    return Drivers.MACVLAN.equals(spec.driverOrDefault());
  }

  private void requireNoOverlap(String key, Cidr cidr, boolean onHostLan) {
    for (Space n : networks.values()) {
      if (n.key.equals(key)) {
        continue;
      }
      for (NetworkAllocation.Subnet s : n.allocation.subnets()) {
        if (s.cidr().overlaps(cidr)) {
          throw new CnmException.Conflict(Reasons.SUBNET_CONFLICT,
              "subnet " + cidr + " overlaps " + s.cidr() + " of network " + n.key, n.key);
        }
      }
    }
    for (Map.Entry<String, List<Cidr>> node : onHostLan ? Map.<String, List<Cidr>>of().entrySet() : nodeSubnets.entrySet()) {
      for (Cidr c : node.getValue()) {
        if (c.overlaps(cidr)) {
          throw new CnmException.Conflict(Reasons.SUBNET_CONFLICT,
              "subnet " + cidr + " overlaps " + c + " on the interfaces of node " + node.getKey());
        }
      }
    }
  }

  private Cidr nextFreeSubnet(String key, Scope scope) {
    List<PoolSpec> pools = scope == Scope.CLUSTER ? clusterPools : localPools;
    for (PoolSpec pool : pools) {
      long count = pool.count();
      for (long i = 0; i < count; i++) {
        Cidr candidate = pool.subnet(i);
        Cidr blocker = firstOverlap(key, candidate);
        if (blocker == null) {
          return candidate;
        }
        // Skip every candidate the blocker covers in one step: a /8 of taken space costs one check.
        if (blocker.prefixLength() < candidate.prefixLength()) {
          long span = 1L << Math.min(62, candidate.prefixLength() - blocker.prefixLength());
          long first = blocker.network().value().subtract(pool.base().network().value())
              .shiftRight(candidate.address().bitLength() - candidate.prefixLength()).longValue();
          i = Math.max(i, first + span - 1);
        }
      }
    }
    throw new CnmException.Conflict(Reasons.POOL_EXHAUSTED, "all default " + scope.wireName() + " address pools are in use ("
        + pools + "); give the network a subnet, or add pools (Helm value ipam."
        + (scope == Scope.CLUSTER ? "clusterPools" : "localPools") + ")");
  }

  private Cidr firstOverlap(String key, Cidr candidate) {
    for (Space n : networks.values()) {
      if (!n.key.equals(key)) {
        for (NetworkAllocation.Subnet s : n.allocation.subnets()) {
          if (s.cidr().overlaps(candidate)) {
            return s.cidr();
          }
        }
      }
    }
    for (List<Cidr> list : nodeSubnets.values()) {
      for (Cidr c : list) {
        if (c.overlaps(candidate)) {
          return c.masked();
        }
      }
    }
    return null;
  }

  /** The gateway Docker picks: the subnet's first usable address. */
  static IpAddress firstUsable(Cidr cidr) {
    if (cidr.family() == 4 && cidr.prefixLength() >= 31) {
      return null;
    }
    return IpAddress.of(cidr.family(), cidr.network().value().add(java.math.BigInteger.ONE));
  }
}
