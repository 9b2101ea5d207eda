package io.cnm.daemon.nft;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * The filtering and NAT a node needs, as data: the bridge networks present on it, the ports
 * published to its endpoints and the services' published ports, the encrypted overlays' VNIs.
 * {@link Ruleset#render} turns it into one nftables transaction.
 *
 * @param encryptDevice the only device the encrypted VNIs' VXLAN may leave or arrive through (the
 *     userspace ESP path's TUN device), or null where the kernel encrypts (xfrm)
 */
public record NodeFirewall(List<Network> networks, List<Published> published, List<ServicePort> servicePorts,
    List<Integer> encryptedVnis, String encryptDevice) {
  /**
   * The firewall mark of VXLAN datagrams of encrypted overlays: a policy rule sends them to the
   * table whose only route is the ESP tunnel's TUN device, so they never leave in the clear.
   */
  public static final int ENCRYPT_MARK = 0x4500;

  public NodeFirewall {
    networks = List.copyOf(networks);
    published = List.copyOf(published);
    servicePorts = List.copyOf(servicePorts);
    encryptedVnis = List.copyOf(encryptedVnis);
  }

  /**
   * @param encryptedVnis VNIs whose VXLAN datagrams are marked for encryption
   */
  public NodeFirewall(List<Network> networks, List<Published> published, List<ServicePort> servicePorts, List<Integer> encryptedVnis) {
    this(networks, published, servicePorts, encryptedVnis, null);
  }

  public NodeFirewall(List<Network> networks, List<Published> published, List<ServicePort> servicePorts) {
    this(networks, published, servicePorts, List.of());
  }

  public NodeFirewall(List<Network> networks, List<Published> published) {
    this(networks, published, List.of());
  }

  /** Nothing on this node needs the table: no bridge network, no published port, no encrypted overlay. */
  public boolean isEmpty() {
    return networks.isEmpty() && published.isEmpty() && servicePorts.isEmpty() && encryptedVnis.isEmpty();
  }

  /**
   * A service's published port on this node (seed: "External Access for Docker Services").
   *
   * @param slots where a connection from outside may go, one entry per unit of weight: this node's
   *     backends and, in ingress mode, other nodes' addresses on the ingress network
   * @param meshBridge the ingress network's bridge on this node, or null (host mode, no ingress network)
   * @param meshAddress this node's address on the ingress network
   * @param meshSlots this node's backends, for connections another node hands over through the ingress network
   */
  public record ServicePort(String protocol, int port, List<Slot> slots, String meshBridge, IpAddress meshAddress, List<Slot> meshSlots) {
    public ServicePort {
      slots = List.copyOf(slots);
      meshSlots = List.copyOf(meshSlots);
    }
  }

  /** One slot of a service port: an address and port, and the bridge it is reached through. */
  public record Slot(String bridge, IpAddress address, int port) {}

  /** A bridge network on this node. */
  public record Network(String bridge, List<Cidr> subnets, boolean internal, boolean masquerade) {
    public Network {
      subnets = List.copyOf(subnets);
    }
  }

  /** A published port: node address (null: every local address, localhost included) to an endpoint. */
  public record Published(String bridge, String protocol, IpAddress hostIp, int hostPort, IpAddress target, int targetPort) {}
}
