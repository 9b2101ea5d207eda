package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.api.v1alpha1.Scope;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.plugin.ipam.IpamDriverApi;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network whose addresses come from a remote IPAM driver. The plugin is the authority: it
 * keeps one address space for the network whatever its scope. This side remembers what each
 * owner was given, so asking twice costs no second RequestAddress, and gives each address back
 * exactly once. What the network holds itself (each pool's gateway, the aux addresses, the pools)
 * is given back by {@link #releaseAll}, step by step, so a release that fails half way resumes
 * where it stopped.
 */
final class RemoteSpace extends Space {
  private final IpamPlugin plugin;
  private final String driver;
  /** Per subnet (as in the allocation), the plugin's pool ID. */
  private final List<String> poolIds;
  /** Addresses the network holds (gateways, aux addresses), by pool ID; given back with the network. */
  private final Map<String, List<IpAddress>> held;
  private final Map<String, List<Cidr>> byOwner = new HashMap<>();
  private final java.util.Set<String> vipOwners = new java.util.HashSet<>();
  /** The MAC each owner's addresses were requested with, when the driver required one. */
  private final Map<String, String> macs = new HashMap<>();

  RemoteSpace(String key, Scope scope, NetworkAllocation allocation, IpamPlugin plugin, String driver, List<String> poolIds,
      Map<String, List<IpAddress>> held) {
    super(key, scope, allocation);
    this.plugin = plugin;
    this.driver = driver;
    this.poolIds = new ArrayList<>(poolIds);
    this.held = new LinkedHashMap<>();
    held.forEach((k, v) -> this.held.put(k, new ArrayList<>(v)));
  }

  List<String> poolIds() {
    return List.copyOf(poolIds);
  }

  private String poolOf(int family, IpAddress inside) {
    for (int i = 0; i < allocation.subnets().size(); i++) {
      Cidr c = allocation.subnets().get(i).cidr();
      if (c.family() == family && (inside == null || c.contains(inside))) {
        return poolIds.get(i);
      }
    }
    return null;
  }

  @Override
  EndpointAllocation allocateEndpoint(String owner, String node, IpAddress v4, IpAddress v6, String mac, boolean restore) {
    List<Cidr> have = byOwner.get(owner);
    if (have == null) {
      have = new ArrayList<>();
      if (restore) {
        for (IpAddress a : new IpAddress[] {v4, v6}) {
          if (a != null) {
            have.add(Cidr.of(a, prefixOf(a)));
          }
        }
        if (mac != null) {
          macs.put(owner, mac); // the MAC recorded with the addresses, which the driver may have been given
        }
      } else {
        String wantMac = mac;
        Map<String, String> options = new HashMap<>();
        if (plugin.requiresMac(driver)) {
          // libnetwork makes up a MAC when the driver needs one before the address: ours is stable for the owner.
          wantMac = wantMac != null ? wantMac : MacAddresses.fromHex(Ids.shortHash(owner, 10));
          options.put(IpamDriverApi.MAC_ADDRESS, wantMac);
        }
        try {
          for (int family : new int[] {4, 6}) {
            IpAddress want = family == 4 ? v4 : v6;
            String pool = poolOf(family, want);
            if (pool == null) {
              if (want != null) {
                throw new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE, want + " is not in any subnet of the network");
              }
              continue;
            }
            have.add(plugin.requestAddress(driver, pool, want, options));
          }
        } catch (CnmException e) {
          for (Cidr got : have) {
            plugin.releaseAddress(driver, poolOf(got.family(), got.address()), got.address());
          }
          throw e;
        }
        if (have.isEmpty()) {
          throw new CnmException.InvalidConfig(Reasons.NO_ADDRESSES, "the network has no subnet of the requested address family");
        }
        if (wantMac != null && options.containsKey(IpamDriverApi.MAC_ADDRESS)) {
          macs.put(owner, wantMac);
        }
      }
      byOwner.put(owner, have);
    }
    Cidr a4 = have.stream().filter(c -> c.family() == 4).findFirst().orElse(null);
    Cidr a6 = have.stream().filter(c -> c.family() == 6).findFirst().orElse(null);
    return new EndpointAllocation(a4, gatewayOf(a4), a6, gatewayOf(a6), macs.get(owner));
  }

  private int prefixOf(IpAddress a) {
    return allocation.subnets().stream().filter(s -> s.cidr().contains(a)).findFirst().map(s -> s.cidr().prefixLength())
        .orElseThrow(() -> new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE, a + " is not in any subnet of the network"));
  }

  @Override
  boolean releaseEndpoint(String owner) {
    List<Cidr> have = byOwner.get(owner);
    if (have == null) {
      return false;
    }
    for (Cidr c : new ArrayList<>(have)) {
      plugin.releaseAddress(driver, poolOf(c.family(), c.address()), c.address());
      have.remove(c);
    }
    byOwner.remove(owner);
    macs.remove(owner);
    return true;
  }

  @Override
  Cidr allocateVip(String owner, IpAddress restoreTo) {
    EndpointAllocation a = allocateEndpoint(owner, null, restoreTo, null, null, restoreTo != null);
    vipOwners.add(owner);
    return a.ipv4() != null ? a.ipv4() : a.ipv6();
  }

  @Override
  void releaseVip(String owner) {
    releaseEndpoint(owner);
    vipOwners.remove(owner);
  }

  @Override
  int vipCount() {
    return vipOwners.size();
  }

  @Override
  void releaseAll() {
    for (var it = held.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      for (IpAddress a : new ArrayList<>(e.getValue())) {
        plugin.releaseAddress(driver, e.getKey(), a);
        e.getValue().remove(a);
      }
    }
    for (String pool : new ArrayList<>(poolIds)) {
      plugin.releasePool(driver, pool);
      poolIds.remove(pool);
    }
  }

  @Override
  Map<String, Map<String, IpAddress>> allocations() {
    Map<String, IpAddress> m = new HashMap<>();
    byOwner.forEach((owner, list) -> list.stream().findFirst().ifPresent(c -> m.put(owner, c.address())));
    return Map.of("", m);
  }

  @Override
  int leaked() {
    return 0;
  }

  @Override
  long allocatedCount() {
    return byOwner.values().stream().mapToLong(List::size).sum();
  }

  /** The remote driver keeps its free addresses to itself. */
  @Override
  long freeCount() {
    return -1;
  }
}
