package io.cnm.daemon.netlink;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netns.NetNamespace;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's links, addresses and routes in one network namespace: the one narrow door through
 * which drivers touch the network stack. Every method is one or two rtnetlink requests; none
 * starts a process. Errors come as {@link NetlinkException} with the kernel's errno.
 */
public interface Netlink extends AutoCloseable {
  /** Every link of the namespace. */
  List<Link> links();

  /** The link with this name, if any. */
  Optional<Link> link(String name);

  /** Creates a Linux bridge (down). */
  void addBridge(String name, int mtu);

  /**
   * Creates a veth pair. The peer is created directly inside {@code peerNamespace} (or here when
   * null), already named and with the given MAC, so no rename or move is needed afterwards.
   *
   * @param peerMac MAC of the peer, or null for a random one
   */
  void addVeth(String name, String peerName, int mtu, NetNamespace peerNamespace, String peerMac);

  /**
   * Creates a VXLAN device: VNI, UDP port, local underlay address (or null), learning off, and ARP
   * proxy on, so ARP requests are answered from the device's permanent neighbour entries (the
   * control plane's knowledge) instead of being flooded.
   */
  void addVxlan(String name, int vni, int port, IpAddress local, int mtu);

  /** Creates an 802.1q sub-interface of {@code parent} with the VLAN id (fails where the kernel has no 8021q). */
  void addVlan(String name, String parent, int vlanId);

  /** Creates a macvlan child of {@code parent} in the given mode (bridge, private, vepa, passthru). */
  void addMacvlan(String name, String parent, String mode, int mtu);

  /** Deletes a link (a veth takes its peer with it). */
  void deleteLink(String name);

  /** Sets a link administratively up or down. */
  void setUp(String name, boolean up);

  /** Enslaves the link to a bridge, or releases it when {@code master} is null. */
  void setMaster(String name, String master);

  /** Enslaves the link to a bridge and sets it up, in one request (the attach path's). */
  void attachUp(String name, String bridge);

  void setMtu(String name, int mtu);

  /**
   * Marks a bridge port isolated: isolated ports cannot exchange frames with each other, only
   * with non-isolated ports and the bridge itself (the gateway). Used for enableIcc: false.
   */
  void setBridgePortIsolated(String name, boolean isolated);

  /** Sets the MAC address (aa:bb:cc:dd:ee:ff). */
  void setMac(String name, String mac);

  /** Sets the interface alias (ifalias): how the daemon marks the links it owns. */
  void setAlias(String name, String alias);

  /** Renames a link; it must be down. */
  void rename(String name, String newName);

  /** Moves a link into another network namespace. */
  void moveTo(String name, NetNamespace namespace);

  /** Adds an address with its prefix length (10.0.0.2/24); adding one it already has is not an error. */
  void addAddress(String link, Cidr address);

  /** The addresses of a link. */
  List<Cidr> addresses(String link);

  /** Adds a route via a gateway (default route when {@code destination} is null); an existing one is replaced. */
  void addRoute(Cidr destination, IpAddress gateway, String device);

  /**
   * Adds or replaces a route in routing table {@code table} (not the main one): how packets a rule
   * sends there are routed. A null destination is the default route.
   */
  void addRoute(Cidr destination, IpAddress gateway, String device, int table);

  /** The routes of table {@code table}. */
  List<Route> routes(int table);

  /**
   * Adds the IPv4 policy rule "packets carrying {@code fwmark} look up {@code table}" at
   * {@code priority}; adding it again changes nothing.
   */
  void addMarkRule(int fwmark, int table, int priority);

  /** Removes that rule; a rule that is not there is not an error. */
  void deleteMarkRule(int fwmark, int table, int priority);

  /** The IPv4 policy rules that match a firewall mark. */
  List<MarkRule> markRules();

  /** Routes of the main table. */
  List<Route> routes();

  /** A permanent neighbour entry: {@code ip} is at {@code mac} on {@code device} (static ARP for overlay peers). */
  void addNeighbour(String device, IpAddress ip, String mac);

  /** Removes a neighbour entry; nothing to do when it is not there. */
  void deleteNeighbour(String device, IpAddress ip);

  /** Removes one FDB entry (MAC behind VTEP) of a VXLAN device; nothing to do when it is not there. */
  void deleteFdb(String device, String mac, IpAddress vtep);

  /** Neighbour entries of a device. */
  List<Neighbour> neighbours(String device);

  /**
   * A permanent bridge FDB entry on a VXLAN device: frames for {@code mac} go to the VTEP
   * {@code vtep} (`bridge fdb append MAC dev DEVICE dst VTEP self permanent`).
   */
  void addFdb(String device, String mac, IpAddress vtep);

  /** FDB entries of a VXLAN device, each with its VTEP as {@code ip}. */
  List<Neighbour> fdb(String device);

  @Override
  void close();
}
