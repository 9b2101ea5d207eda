package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.Scope;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The address space of one network. A cluster-scope network (overlay) has one set of pools for
 * the whole cluster. A local-scope network (bridge, macvlan) exists separately on each node, as
 * Docker's per-host bridge does, so each node has its own pools and two endpoints on different
 * nodes may hold the same address. Service VIPs of a local network must be free on every node,
 * so they are claimed in every node's pools, including nodes that join later.
 */
final class NetworkSpace extends Space {
  private static final String CLUSTER = "";

  private final Set<IpAddress> reserved;
  private final Map<String, List<AddressPool>> pools = new HashMap<>();
  private final Map<String, IpAddress> vips = new HashMap<>();
  private List<AddressPool> empty;

  NetworkSpace(String key, Scope scope, NetworkAllocation allocation, Set<IpAddress> reserved) {
    super(key, scope, allocation);
    this.reserved = reserved;
  }

  private List<AddressPool> poolsOf(String node) {
    String space = scope == Scope.CLUSTER ? CLUSTER : node;
    return pools.computeIfAbsent(space, n -> {
      List<AddressPool> list = new ArrayList<>();
      for (NetworkAllocation.Subnet s : allocation.subnets()) {
        list.add(new AddressPool(s.cidr(), s.ipRange(), reserved));
      }
      vips.forEach((owner, ip) -> claimIn(list, owner, ip, false));
      return list;
    });
  }

  private static IpAddress claimIn(List<AddressPool> list, String owner, IpAddress ip, boolean restore) {
    for (AddressPool p : list) {
      if (p.subnet().contains(ip)) {
        return p.claim(owner, ip, restore);
      }
    }
    throw new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE,
        ip + " is not in any subnet of the network (" + list.stream().map(p -> p.subnet().toString()).toList() + ")");
  }

  private static Cidr withPrefix(AddressPool p, IpAddress ip) {
    return Cidr.of(ip, p.subnet().prefixLength());
  }

  private AddressPool poolHolding(List<AddressPool> list, IpAddress ip) {
    return list.stream().filter(p -> p.subnet().contains(ip)).findFirst().orElseThrow();
  }

  /**
   * The endpoint's addresses on this network: the requested ones, or the next free ones. Either
   * every family the network has succeeds or nothing is kept.
   */
  @Override
  EndpointAllocation allocateEndpoint(String owner, String node, IpAddress v4, IpAddress v6, String mac, boolean restore) {
    List<AddressPool> list = poolsOf(node);
    try {
      Cidr a4 = allocateFamily(list, 4, owner, v4, restore);
      Cidr a6 = allocateFamily(list, 6, owner, v6, restore);
      if (a4 == null && a6 == null) {
        throw new CnmException.InvalidConfig(Reasons.NO_ADDRESSES, "the network has no subnet of the requested address family");
      }
      return new EndpointAllocation(a4, gatewayOf(a4), a6, gatewayOf(a6), null);
    } catch (CnmException e) {
      list.forEach(p -> p.release(owner));
      throw e;
    }
  }

  private Cidr allocateFamily(List<AddressPool> list, int family, String owner, IpAddress requested, boolean restore) {
    List<AddressPool> fam = list.stream().filter(p -> p.subnet().family() == family).toList();
    if (requested != null) {
      if (fam.isEmpty()) {
        throw new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE, requested + ": the network has no IPv" + family + " subnet");
      }
      IpAddress ip = claimIn(fam, owner, requested, restore);
      return withPrefix(poolHolding(fam, ip), ip);
    }
    if (fam.isEmpty()) {
      return null;
    }
    for (AddressPool p : fam) {
      Optional<IpAddress> mine = p.addressOf(owner);
      if (mine.isPresent()) {
        return withPrefix(p, mine.get());
      }
    }
    CnmException last = null;
    for (AddressPool p : fam) {
      try {
        return withPrefix(p, p.allocate(owner));
      } catch (CnmException.Conflict e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  boolean releaseEndpoint(String owner) {
    boolean released = false;
    for (List<AddressPool> list : pools.values()) {
      for (AddressPool p : list) {
        released |= p.release(owner);
      }
    }
    return released;
  }

  /** A VIP: free on every node of a local network, or in the one space of a cluster network. */
  @Override
  Cidr allocateVip(String owner, IpAddress restoreTo) {
    IpAddress have = vips.get(owner);
    if (have != null) {
      return Cidr.of(have, poolHolding(poolsOf(CLUSTER), have).subnet().prefixLength());
    }
    List<AddressPool> reference = poolsOf(CLUSTER);
    IpAddress ip = restoreTo;
    if (ip == null) {
      AddressPool first = reference.stream().filter(p -> p.subnet().family() == 4).findFirst()
          .orElseGet(() -> reference.get(0));
      ip = first.nextFreeMatching(this::freeEverywhere).orElseThrow(() -> new CnmException.Conflict(Reasons.POOL_EXHAUSTED,
          "no address is free on every node for a VIP in " + first.subnet()));
    }
    for (List<AddressPool> list : pools.values()) {
      claimIn(list, owner, ip, false);
    }
    vips.put(owner, ip);
    return Cidr.of(ip, poolHolding(reference, ip).subnet().prefixLength());
  }

  private boolean freeEverywhere(IpAddress ip) {
    return pools.values().stream().allMatch(list -> list.stream().filter(p -> p.subnet().contains(ip)).allMatch(p -> p.isFree(ip)));
  }

  @Override
  void releaseVip(String owner) {
    if (vips.remove(owner) != null) {
      pools.values().forEach(list -> list.forEach(p -> p.release(owner)));
    }
  }

  /** Every owner's addresses per address space (node name, or "" for the cluster), for checks and tests. */
  @Override
  Map<String, Map<String, IpAddress>> allocations() {
    Map<String, Map<String, IpAddress>> out = new HashMap<>();
    pools.forEach((space, list) -> {
      Map<String, IpAddress> m = new HashMap<>();
      list.forEach(p -> m.putAll(p.allocations()));
      out.put(space, m);
    });
    return out;
  }

  @Override
  int leaked() {
    return pools.values().stream().flatMap(List::stream).mapToInt(AddressPool::leaked).sum();
  }

  @Override
  long allocatedCount() {
    long held = pools.values().stream().flatMap(List::stream).mapToLong(AddressPool::allocatedCount).sum();
    // A VIP is claimed in every address space of the network: count it once.
    return held - (long) vips.size() * Math.max(0, pools.size() - 1);
  }

  @Override
  int vipCount() {
    return vips.size();
  }

  @Override
  long freeCount() {
    List<List<AddressPool>> spaces = pools.isEmpty() ? List.of(emptySpace()) : List.copyOf(pools.values());
    return spaces.stream().mapToLong(list -> list.stream().filter(p -> p.subnet().family() == 4).mapToLong(AddressPool::freeInRange).sum())
        .min().orElse(0);
  }

  /** The pools as a space with nothing allocated yet starts: what a network without endpoints has free. */
  private List<AddressPool> emptySpace() {
    if (empty == null) {
      empty = allocation.subnets().stream().map(s -> new AddressPool(s.cidr(), s.ipRange(), reserved)).toList();
    }
    return empty;
  }

}
