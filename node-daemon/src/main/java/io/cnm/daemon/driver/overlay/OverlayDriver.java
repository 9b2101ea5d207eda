package io.cnm.daemon.driver.overlay;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.MacAddresses;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.encryption.NodeEncryption;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Neighbour;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.sandbox.VethPort;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's overlay driver on one node (seed: "Overlay Driver Network Architecture"). Per overlay
 * network with a local endpoint, lazily: a bridge {@code ov-<id>} and a VXLAN device
 * {@code vx-<id>} on it (the network's VNI, UDP 4789, the node's underlay address as the local
 * VTEP, learning off, ARP proxy on), and a veth per endpoint into its sandbox. Remote endpoints
 * come from the gossip as {@link Peer}s and become static FDB entries (MAC behind VTEP) and
 * permanent neighbour entries (IP at MAC) on the VXLAN device: no flooding, no multicast, ARP
 * answered by the kernel from what the control plane knows. Each overlay sandbox also joins the
 * node's {@link GwBridge} for egress. No address of the overlay is configured on the node, so
 * overlays with the same subnet on one node never meet in its routing table.
 */
public final class OverlayDriver implements Driver {
  /** The IANA VXLAN port; Docker uses it too. */
  public static final int VXLAN_PORT = 4789;
  /** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
  public static final int VXLAN_OVERHEAD = 50;
  public static final String DRIVER_NAME = "overlay";
  public static final String ENCRYPTED = "overlay.encrypted";
  /**
   * Label of the ingress network only: this node's own address on it (address/prefix). The node
   * itself is on the ingress network, as Docker's ingress sandbox is, and hands routing-mesh
   * connections to other nodes through it.
   */
  public static final String NODE_ADDRESS = "overlay.nodeAddress";

  private final Sandboxes sandboxes;
  private final Netlink node;
  private final Underlay underlay;
  private final GwBridge gwbridge;
  private final NodeEncryption encryption;
  /** Peers programmed per network, as last applied (read back from the kernel after a restart). */
  private final Map<String, Set<Peer>> programmed = new HashMap<>();

  public OverlayDriver(Sandboxes sandboxes, Underlay underlay, GwBridge gwbridge) {
    this(sandboxes, underlay, gwbridge, NodeEncryption.unavailable("this node-daemon was started without encryption"));
  }

  /** @param encryption how this node encrypts encrypted overlays (or why it cannot) */
  public OverlayDriver(Sandboxes sandboxes, Underlay underlay, GwBridge gwbridge, NodeEncryption encryption) {
    this.sandboxes = sandboxes;
    this.node = sandboxes.node();
    this.underlay = underlay;
    this.gwbridge = gwbridge;
    this.encryption = encryption;
  }

  @Override
  public String name() {
    return DRIVER_NAME;
  }

  public static String bridgeName(NetworkInfo n) {
    return "ov-" + n.networkId();
  }

  public static String vxlanName(NetworkInfo n) {
    return "vx-" + n.networkId();
  }

  /**
   * The overlay's MTU: as given, else the underlay's minus VXLAN's overhead (1450 on 1500), and
   * minus ESP's where the network is encrypted (1405 on 1500 on the userspace path).
   */
  public int mtu(NetworkInfo n) {
    if (n.mtu() > 0) {
      return n.mtu();
    }
    return underlay.mtu() - VXLAN_OVERHEAD - (n.flag(ENCRYPTED, false) ? encryption.overhead() : 0);
  }

  /** Never plaintext for a network that asked for encryption: not connected at all on a node that cannot encrypt. */
  @Override
  public Optional<Refusal> refusal(NetworkInfo n) {
    if (!n.flag(ENCRYPTED, false) || encryption.path() != NodeEncryption.Path.NONE) {
      return Optional.empty();
    }
    return Optional.of(new Refusal("EncryptionUnavailable", "it asks for encryption (overlay.encrypted), which this node cannot "
        + "provide: " + encryption.unavailable() + "; the endpoint is not connected rather than sent in plaintext"));
  }

  @Override
  public synchronized void ensureNetwork(NetworkInfo n) {
    if (n.vni() <= 0) {
      throw new IllegalStateException("overlay network " + n.name() + " has no VNI yet");
    }
    int mtu = mtu(n);
    String leg = n.options().get(NODE_ADDRESS);
    BridgeDriver.ensureBridge(node, bridgeName(n), mtu, Owned.mark(n.key()), leg == null ? List.of() : List.of(Cidr.parse(leg)));
    if (leg != null) {
      // The MAC other nodes' neighbour entries carry for this address (derived from it, as an endpoint's is).
      String mac = MacAddresses.fromIpv4(Cidr.parse(leg).address());
      if (!mac.equalsIgnoreCase(node.link(bridgeName(n)).orElseThrow().mac())) {
        node.setMac(bridgeName(n), mac);
      }
    }
    String vx = vxlanName(n);
    Optional<Link> have = node.link(vx);
    if (have.isEmpty()) {
      node.addVxlan(vx, n.vni(), VXLAN_PORT, underlay.address(), mtu);
      node.setAlias(vx, Owned.mark(n.key()));
    }
    int br = node.link(bridgeName(n)).orElseThrow().index();
    Link v = node.link(vx).orElseThrow();
    if (v.masterIndex() != br || !v.up()) {
      node.attachUp(vx, bridgeName(n));
    }
    if (!n.internal()) {
      gwbridge.ensure();
    }
  }

  @Override
  public synchronized void removeNetwork(NetworkInfo n) {
    node.link(vxlanName(n)).filter(Owned::ours).ifPresent(l -> node.deleteLink(l.name()));
    node.link(bridgeName(n)).filter(Owned::ours).ifPresent(l -> node.deleteLink(l.name()));
    programmed.remove(n.key());
    gwbridge.removeIfUnused();
  }

  @Override
  public String join(NetworkInfo n, EndpointInfo ep) {
    String ifname = sandboxes.attach(new VethPort(BridgeDriver.hostVeth(ep.key()), Owned.mark(ep.key()), bridgeName(n),
        ep.netnsPath(), ep.interfaceName(), ep.mac(), ep.ipv4(), mtu(n), false, null));
    if (!n.internal()) {
      gwbridge.attach(ep);
    }
    return ifname;
  }

  @Override
  public void leave(NetworkInfo n, EndpointInfo ep) {
    sandboxes.detach(BridgeDriver.hostVeth(ep.key()));
    gwbridge.detach(ep.key());
  }

  @Override
  public Set<String> nodeLinks(NetworkInfo n, EndpointInfo ep) {
    if (ep == null) {
      return Set.of(bridgeName(n), vxlanName(n), GwBridge.NAME);
    }
    return Set.of(BridgeDriver.hostVeth(ep.key()), GwBridge.hostVeth(ep.key()));
  }

  /** Egress leaves through the gwbridge, where the node masquerades it. */
  @Override
  public Optional<RoutedNetwork> routed(NetworkInfo n) {
    return gwbridge.routed(n);
  }

  /** Published ports are forwarded to the endpoint's address on the gwbridge. */
  @Override
  public Optional<RoutedNetwork.Target> publishTarget(NetworkInfo n, EndpointInfo ep) {
    return gwbridge.publishTarget(ep.key());
  }

  @Override
  public synchronized void setPeers(NetworkInfo n, Set<Peer> peers) {
    String vx = vxlanName(n);
    if (node.link(vx).isEmpty()) {
      return; // no local endpoint: the network is not built here, nothing to program
    }
    Set<Peer> have = programmed.computeIfAbsent(n.key(), k -> kernelPeers(vx));
    for (Peer p : have) {
      if (!peers.contains(p)) {
        node.deleteNeighbour(vx, p.ip());
        node.deleteFdb(vx, p.mac(), p.vtep());
      }
    }
    for (Peer p : peers) {
      if (!have.contains(p)) {
        node.addFdb(vx, p.mac(), p.vtep());
        node.addNeighbour(vx, p.ip(), p.mac());
      }
    }
    programmed.put(n.key(), new HashSet<>(peers));
  }

  /** The peers a previous run programmed: permanent FDB entries joined with permanent neighbours by MAC. */
  private Set<Peer> kernelPeers(String vx) {
    Map<String, IpAddress> vtepOfMac = new HashMap<>();
    for (Neighbour f : node.fdb(vx)) {
      if (f.permanent() && f.mac() != null && f.ip() != null) {
        vtepOfMac.put(f.mac(), f.ip());
      }
    }
    Set<Peer> out = new HashSet<>();
    for (Neighbour nb : node.neighbours(vx)) {
      if (nb.permanent() && nb.mac() != null && vtepOfMac.containsKey(nb.mac())) {
        out.add(new Peer(nb.ip(), nb.mac(), vtepOfMac.get(nb.mac())));
      }
    }
    return out;
  }
}
