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
  private final Map<String, NetworkSpace> networks = new LinkedHashMap<>();
  private final Map<String, List<Cidr>> nodeSubnets = new HashMap<>();
  private final IdAllocator vnis = new IdAllocator(VNI_MIN, VNI_MAX);

  public Ipam(List<PoolSpec> localPools, List<PoolSpec> clusterPools) {
    this.localPools = List.copyOf(localPools);
    this.clusterPools = List.copyOf(clusterPools);
  }

  /** Docker's defaults: local 172.17-31.0.0/16 then 192.168.0.0/16 in /20s; cluster 10.0.0.0/8 in /24s. */
  public static Ipam withDockerDefaults() {
    return new Ipam(PoolSpec.parseList("172.17.0.0/16@16,172.18.0.0/15@16,172.20.0.0/14@16,172.24.0.0/13@16,192.168.0.0/16@20"),
        PoolSpec.parseList("10.0.0.0/8@24"));
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
    NetworkSpace existing = networks.get(key);
    List<IpamConfig> configs = configs(spec);
    if (existing != null) {
      checkUnchanged(existing, spec, configs);
      return existing.allocation;
    }
    requireNativeIpam(spec);
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

  /** Rebuilds a network's allocation from its status (subnets, gateways, VNI) after a restart. */
  public synchronized NetworkAllocation restoreNetwork(String key, CnmNetworkSpec spec, List<String> subnets,
      List<String> gateways, Integer vni) {
    if (networks.containsKey(key)) {
      return networks.get(key).allocation;
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

  /** Frees the network's subnets and VNI. Its endpoints and VIPs must be gone first. */
  public synchronized boolean releaseNetwork(String key) {
    vnis.release(key);
    return networks.remove(key) != null;
  }

  public synchronized EndpointAllocation allocateEndpoint(String networkKey, String owner, String node, String ipv4, String ipv6) {
    return space(networkKey).allocateEndpoint(owner, node, parse(ipv4), parse(ipv6), false);
  }

  /** Re-claims an endpoint's addresses from its status after a restart. */
  public synchronized EndpointAllocation restoreEndpoint(String networkKey, String owner, String node, String ipv4Cidr, String ipv6Cidr) {
    IpAddress v4 = ipv4Cidr == null ? null : Cidr.parse(ipv4Cidr).address();
    IpAddress v6 = ipv6Cidr == null ? null : Cidr.parse(ipv6Cidr).address();
    return space(networkKey).allocateEndpoint(owner, node, v4, v6, true);
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
    NetworkSpace n = networks.get(networkKey);
    return n != null && n.releaseEndpoint(owner);
  }

  public synchronized Cidr allocateVip(String networkKey, String owner) {
    return space(networkKey).allocateVip(owner, null);
  }

  public synchronized Cidr restoreVip(String networkKey, String owner, String vipCidr) {
    return space(networkKey).allocateVip(owner, Cidr.parse(vipCidr).address());
  }

  public synchronized void releaseVip(String networkKey, String owner) {
    NetworkSpace n = networks.get(networkKey);
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

  /** Addresses marked used with no owner or reservation, over all networks: 0 unless there is a bug. */
  public synchronized int leakedAddresses() {
    return networks.values().stream().mapToInt(NetworkSpace::leaked).sum();
  }


  private NetworkSpace space(String networkKey) {
    NetworkSpace n = networks.get(networkKey);
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

  private static void requireNativeIpam(CnmNetworkSpec spec) {
    String driver = spec.getIpam() == null || spec.getIpam().getDriver() == null ? DEFAULT_DRIVER : spec.getIpam().getDriver();
    if (!DEFAULT_DRIVER.equals(driver)) {
      throw new CnmException.InvalidConfig(Reasons.IPAM_DRIVER_UNAVAILABLE,
          "IPAM driver '" + driver + "' is not available: only the built-in 'default' driver is supported so far");
    }
  }

  private void checkUnchanged(NetworkSpace existing, CnmNetworkSpec spec, List<IpamConfig> configs) {
    if (!configs.isEmpty()) {
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
    for (NetworkSpace n : networks.values()) {
      if (n.key.equals(key)) {
        continue;
      }
      for (NetworkAllocation.Subnet s : n.allocation.subnets()) {
        if (s.cidr().overlaps(cidr)) {
          throw new CnmException.Conflict(Reasons.SUBNET_CONFLICT,
              "subnet " + cidr + " overlaps " + s.cidr() + " of network " + n.key);
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
    for (NetworkSpace n : networks.values()) {
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
