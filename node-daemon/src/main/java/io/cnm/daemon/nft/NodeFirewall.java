package io.cnm.daemon.nft;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * The filtering and NAT a node needs, as data: the bridge networks present on it and the ports
 * published to its endpoints. {@link Ruleset#render} turns it into one nftables transaction.
 */
public record NodeFirewall(List<Network> networks, List<Published> published) {
  public NodeFirewall {
    networks = List.copyOf(networks);
    published = List.copyOf(published);
  }

  /** A bridge network on this node. */
  public record Network(String bridge, List<Cidr> subnets, boolean internal, boolean masquerade) {
    public Network {
      subnets = List.copyOf(subnets);
    }
  }

  /** A published port: node address (null: every local address, localhost included) to an endpoint. */
  public record Published(String bridge, String protocol, IpAddress hostIp, int hostPort, IpAddress target, int targetPort) {}
}
