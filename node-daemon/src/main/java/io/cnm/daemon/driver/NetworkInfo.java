package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import java.util.List;

/**
 * What a driver needs to know of a network on this node, taken from the CnmNetwork's spec and the
 * operator's allocation in its status.
 *
 * @param gateways each subnet's gateway with the subnet's prefix length (10.0.0.1/24)
 * @param bridgeName the Linux bridge (bridge driver): spec.bridge.bridgeName or br-<network id>
 */
public record NetworkInfo(String key, String networkId, String driver, List<Cidr> subnets, List<Cidr> gateways,
    boolean internal, boolean icc, boolean masquerade, int mtu, String bridgeName) {
  public NetworkInfo {
    subnets = List.copyOf(subnets);
    gateways = List.copyOf(gateways);
  }
}
