package io.cnm.daemon.driver.macvlan;

import io.cnm.api.v1alpha1.Ids;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkException;
import io.cnm.daemon.sandbox.MovedPort;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Docker's macvlan driver: an endpoint is a macvlan child of the network's parent interface,
 * made on the node with the endpoint's IP-derived MAC and moved into the sandbox, its gateway
 * the external router of the network's IPAM config. Nothing is built on the node for the network
 * itself, and nothing is routed, translated or published: macvlan is open within its L2 network
 * (the seed's segmentation table). A parent such as {@code eth0.10} that does not exist is made
 * as VLAN 10 of {@code eth0} and removed with the last network here that uses it. The node cannot
 * reach its own children (the kernel does not pass frames between a parent and its macvlan
 * children); other hosts and other nodes' children can.
 */
public final class MacvlanDriver implements Driver {
  public static final String DRIVER_NAME = "macvlan";
  public static final String PARENT = "macvlan.parent";
  public static final String MODE = "macvlan.mode";
  static final String CHILD_PREFIX = "mv";

  private final Sandboxes sandboxes;
  private final Netlink node;
  /** Network key → the VLAN sub-interface this driver made for it. */
  private final Map<String, String> vlansMade = new HashMap<>();

  public MacvlanDriver(Sandboxes sandboxes) {
    this.sandboxes = sandboxes;
    this.node = sandboxes.node();
  }

  @Override
  public String name() {
    return DRIVER_NAME;
  }

  static String parent(NetworkInfo n) {
    return n.option(PARENT, "");
  }

  /** The name a child has on the node, before it moves into its sandbox. */
  static String childName(String endpointKey) {
    return CHILD_PREFIX + Ids.shortHash(endpointKey, 13);
  }

  @Override
  public synchronized void ensureNetwork(NetworkInfo n) {
    String parent = parent(n);
    if (parent.isEmpty()) {
      throw new IllegalStateException("macvlan network " + n.name() + " has no macvlan.parent");
    }
    if (node.link(parent).isPresent()) {
      return;
    }
    int dot = parent.lastIndexOf('.');
    if (dot <= 0 || !parent.substring(dot + 1).matches("[0-9]{1,4}")) {
      throw new IllegalStateException("macvlan parent " + parent + " does not exist on this node");
    }
    String base = parent.substring(0, dot);
    int vlan = Integer.parseInt(parent.substring(dot + 1));
    if (node.link(base).isEmpty()) {
      throw new IllegalStateException("macvlan parent " + parent + " cannot be made: its base interface " + base
          + " does not exist on this node");
    }
    if (vlan < 1 || vlan > 4094) {
      throw new IllegalStateException("macvlan parent " + parent + ": VLAN id " + vlan + " is not in 1-4094");
    }
    try {
      node.addVlan(parent, base, vlan);
    } catch (NetlinkException e) {
      throw new IllegalStateException("cannot make VLAN " + vlan + " on " + base + " for macvlan parent " + parent
          + (e.errno() == NetlinkException.EOPNOTSUPP ? ": this kernel has no 802.1q VLAN support (module 8021q)" : ": " + e.getMessage()),
          e);
    }
    node.setAlias(parent, Owned.mark("vlan:" + parent));
    node.setUp(parent, true);
    vlansMade.put(n.key(), parent);
  }

  @Override
  public synchronized void removeNetwork(NetworkInfo n) {
    String vlan = vlansMade.remove(n.key());
    if (vlan == null) {
      vlan = node.link(parent(n)).filter(Owned::ours).map(Link::name).orElse(null);
    }
    if (vlan != null && !vlansMade.containsValue(vlan)) {
      String gone = vlan;
      node.link(gone).filter(Owned::ours).ifPresent(l -> node.deleteLink(gone));
    }
  }

  @Override
  public String join(NetworkInfo n, EndpointInfo ep) {
    if (ep.mac() == null) {
      throw new IllegalStateException("endpoint " + ep.key() + " has no MAC yet");
    }
    String mode = n.option(MODE, "bridge");
    return sandboxes.hand(new MovedPort(childName(ep.key()), ep.netnsPath(), ep.interfaceName(), ep.mac(), ep.ipv4(), ep.gateway()),
        name -> node.addMacvlan(name, parent(n), mode, n.mtu()));
  }

  @Override
  public void leave(NetworkInfo n, EndpointInfo ep) {
    if (ep.mac() != null) {
      sandboxes.take(ep.netnsPath(), ep.mac());
    }
  }

  @Override
  public Set<String> nodeLinks(NetworkInfo n, EndpointInfo ep) {
    // Children live in sandboxes; a VLAN parent this driver made stays while its network is here.
    return ep == null && node.link(parent(n)).filter(Owned::ours).isPresent() ? Set.of(parent(n)) : Set.of();
  }
}
