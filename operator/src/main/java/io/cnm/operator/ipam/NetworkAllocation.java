package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/** What the IPAM decided for a network: its subnets with their gateways, and its VNI (overlay). */
public record NetworkAllocation(List<Subnet> subnets, Integer vni) {
  public record Subnet(Cidr cidr, IpAddress gateway, Cidr ipRange) {}

  public NetworkAllocation {
    subnets = List.copyOf(subnets);
  }
}
