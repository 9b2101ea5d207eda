package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * What the IPAM decided for a network: its subnets with their gateways, its VNI (overlay), and
 * for a remote IPAM driver the pool ID of each subnet (empty for the native IPAM).
 */
public record NetworkAllocation(List<Subnet> subnets, Integer vni, List<String> poolIds) {
  public record Subnet(Cidr cidr, IpAddress gateway, Cidr ipRange) {}

  public NetworkAllocation {
    subnets = List.copyOf(subnets);
    poolIds = List.copyOf(poolIds);
  }

  public NetworkAllocation(List<Subnet> subnets, Integer vni) {
    this(subnets, vni, List.of());
  }
}
