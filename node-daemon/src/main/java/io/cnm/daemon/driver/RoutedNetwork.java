package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * A bridge on which the node routes a network's traffic: what the node's firewall needs to isolate
 * it from other networks, masquerade its egress, and forward published ports into it.
 */
public record RoutedNetwork(String bridge, List<Cidr> subnets, boolean internal, boolean masquerade) {
  public RoutedNetwork {
    subnets = List.copyOf(subnets);
  }

  /** An endpoint's address behind a routed bridge, to which its published ports are forwarded. */
  public record Target(String bridge, IpAddress address) {}
}
