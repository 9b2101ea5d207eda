package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.Scope;
import java.util.Map;

/**
 * The addresses of one network, wherever they come from: the native pools ({@link NetworkSpace})
 * or a remote IPAM driver ({@link RemoteSpace}). Owners are endpoint and service keys.
 */
abstract class Space {
  final String key;
  final Scope scope;
  final NetworkAllocation allocation;

  Space(String key, Scope scope, NetworkAllocation allocation) {
    this.key = key;
    this.scope = scope;
    this.allocation = allocation;
  }

  /** The endpoint's addresses: the requested ones, or the next free ones; on {@code restore} as recorded. */
  abstract EndpointAllocation allocateEndpoint(String owner, String node, IpAddress v4, IpAddress v6, String mac, boolean restore);

  abstract boolean releaseEndpoint(String owner);

  abstract Cidr allocateVip(String owner, IpAddress restoreTo);

  abstract void releaseVip(String owner);

  /** Gives back what the network itself holds (nothing for native pools; pools and gateways of a remote driver). */
  void releaseAll() {}

  /** Every owner's addresses per address space (node name, or "" for the cluster). */
  abstract Map<String, Map<String, IpAddress>> allocations();

  /** Addresses marked used with no owner: 0 unless there is a bug. */
  abstract int leaked();

  /** Endpoint addresses and VIPs held, each once. */
  abstract long allocatedCount();

  /** IPv4 addresses still free for dynamic allocation where fewest are (a local network's fullest node); -1 if unknown. */
  abstract long freeCount();

  /** Service VIPs held on this network. */
  abstract int vipCount();

  /** The gateway of the subnet holding {@code address}. */
  IpAddress gatewayOf(Cidr address) {
    if (address == null) {
      return null;
    }
    return allocation.subnets().stream().filter(s -> s.cidr().contains(address.address()))
        .map(NetworkAllocation.Subnet::gateway).findFirst().orElse(null);
  }
}
