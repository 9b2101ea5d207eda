package io.cnm.daemon.driver.bridge;

import io.cnm.api.net.Cidr;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netns.NetNamespace;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Docker's bridge driver on one node (seed: "Docker Bridge Network Driver"): a Linux bridge per
 * network holding the gateway address, a veth per endpoint with the node side on the bridge
 * (named {@code cnm<hash>}, so a restarted daemon finds its own) and the other side created
 * directly inside the sandbox with its name and MAC. Filtering (isolation, masquerade,
 * publishing) is not here: the agent renders one nftables ruleset for the whole node.
 */
public final class BridgeDriver implements Driver {
  /** Prefix of the node-side veths this daemon creates. */
  public static final String VETH_PREFIX = "cnm";
  /**
   * Prefix of the alias (ifalias) on every bridge and veth this daemon creates: the mark by which a
   * restarted daemon tells its own leftovers from everything else on the node (Docker's bridges
   * are named br-<12 hex> too).
   */
  public static final String OWNER_ALIAS = "cnm:";

  private final Netlink node;
  private final NetlinkFactory netlink;

  public BridgeDriver(Netlink node, NetlinkFactory netlink) {
    this.node = node;
    this.netlink = netlink;
  }

  @Override
  public String name() {
    return "bridge";
  }

  @Override
  public void ensureNetwork(NetworkInfo network) {
    String br = network.bridgeName();
    Optional<Link> existing = node.link(br);
    if (existing.isEmpty()) {
      node.addBridge(br, network.mtu());
      node.setAlias(br, OWNER_ALIAS + network.key());
    } else if (network.mtu() > 0 && existing.get().mtu() != network.mtu()) {
      node.setMtu(br, network.mtu());
    }
    Set<Cidr> have = Set.copyOf(node.addresses(br));
    for (Cidr gw : network.gateways()) {
      if (!have.contains(gw)) {
        node.addAddress(br, gw);
      }
    }
    if (!node.link(br).orElseThrow().up()) {
      node.setUp(br, true);
    }
  }

  @Override
  public void removeNetwork(NetworkInfo network) {
    node.link(network.bridgeName()).filter(BridgeDriver::ours).ifPresent(l -> node.deleteLink(l.name()));
  }

  /** Whether this daemon created the link (it carries the owner alias). */
  public static boolean ours(Link l) {
    return l.alias() != null && l.alias().startsWith(OWNER_ALIAS);
  }

  /** The node-side veth name of an endpoint: stable, at most 15 characters. */
  public static String hostVeth(String endpointKey) {
    return VETH_PREFIX + Ids.shortHash(endpointKey, 11);
  }

  @Override
  public String join(NetworkInfo network, EndpointInfo ep) {
    String host = hostVeth(ep.key());
    try (NetNamespace sandbox = NetNamespace.open(ep.netnsPath()); Netlink inside = netlink.in(sandbox)) {
      List<Link> sandboxLinks = inside.links();
      Optional<Link> mine = sandboxLinks.stream().filter(l -> ep.mac() != null && ep.mac().equalsIgnoreCase(l.mac())).findFirst();
      Optional<Link> hostSide = node.link(host);
      if (hostSide.isPresent() && mine.isEmpty()) {
        node.deleteLink(host); // the sandbox was recreated: its end of our veth is gone
        hostSide = Optional.empty();
      }
      String ifname = mine.map(Link::name).orElseGet(() -> freeName(ep.interfaceName(), sandboxLinks));
      if (hostSide.isEmpty()) {
        // Fresh attach: create, mark, enslave and raise, without reading back what was just made.
        node.addVeth(host, ifname, network.mtu(), sandbox, ep.mac());
        node.setAlias(host, OWNER_ALIAS + ep.key());
        node.attachUp(host, network.bridgeName());
        if (!network.icc()) {
          node.setBridgePortIsolated(host, true);
        }
        if (ep.ipv4() != null) {
          inside.addAddress(ifname, ep.ipv4());
        }
        inside.setUp(ifname, true);
      } else {
        adopt(network, ep, host, hostSide.get(), inside, ifname);
      }
      if (sandboxLinks.stream().anyMatch(l -> l.name().equals("lo") && !l.up())) {
        inside.setUp("lo", true);
      }
      // The sandbox's first network gives it its default route; later networks do not replace it.
      boolean hasDefault = inside.routes().stream().anyMatch(r -> r.destination().prefixLength() == 0 && r.destination().family() == 4);
      if (!hasDefault && ep.gateway() != null && !network.internal()) {
        inside.addRoute(null, ep.gateway(), ifname);
      }
      return ifname;
    }
  }

  /** An existing endpoint (a restarted daemon): check every piece, fix only what differs. */
  private void adopt(NetworkInfo network, EndpointInfo ep, String host, Link h, Netlink inside, String ifname) {
    int bridgeIndex = node.link(network.bridgeName()).orElseThrow().index();
    if (h.masterIndex() != bridgeIndex || !h.up()) {
      node.attachUp(host, network.bridgeName());
    }
    node.setBridgePortIsolated(host, !network.icc());
    if (ep.ipv4() != null && !inside.addresses(ifname).contains(ep.ipv4())) {
      inside.addAddress(ifname, ep.ipv4());
    }
    if (!inside.link(ifname).orElseThrow().up()) {
      inside.setUp(ifname, true);
    }
  }

  private static String freeName(String wanted, List<Link> links) {
    Set<String> taken = links.stream().map(Link::name).collect(Collectors.toSet());
    if (wanted != null) {
      return wanted;
    }
    for (int i = 0; ; i++) {
      if (!taken.contains("eth" + i)) {
        return "eth" + i;
      }
    }
  }

  @Override
  public void leave(NetworkInfo network, EndpointInfo ep) {
    String host = hostVeth(ep.key());
    if (node.link(host).isPresent()) {
      node.deleteLink(host);
    }
  }
}
