package io.cnm.daemon.sandbox;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.Route;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sandbox layer every driver shares (libnetwork's osl): puts an interface into a sandbox,
 * names it, addresses it and routes it, so a driver only builds the node side. Each step checks
 * before it acts; a fresh attach writes without reading back what it just made.
 */
public final class Sandboxes {
  private final Netlink node;
  private final NetlinkFactory netlink;

  public Sandboxes(Netlink node, NetlinkFactory netlink) {
    this.node = node;
    this.netlink = netlink;
  }

  /** The node's own netlink (the drivers' node side). */
  public Netlink node() {
    return node;
  }

  /**
   * Connects the sandbox through a veth pair to a bridge, or confirms and repairs an existing one.
   *
   * @return the interface name inside the sandbox
   */
  public String attach(VethPort p) {
    try (NetNamespace sandbox = NetNamespace.open(p.netnsPath()); Netlink inside = netlink.in(sandbox)) {
      List<Link> sandboxLinks = inside.links();
      Optional<Link> mine = sandboxLinks.stream().filter(l -> p.mac() != null && p.mac().equalsIgnoreCase(l.mac())).findFirst();
      Optional<Link> hostSide = node.link(p.hostName());
      if (hostSide.isPresent() && mine.isEmpty()) {
        node.deleteLink(p.hostName()); // the sandbox was recreated: its end of our veth is gone
        hostSide = Optional.empty();
      }
      String ifname = mine.map(Link::name).orElseGet(() -> freeName(p.wantedName(), sandboxLinks));
      if (hostSide.isEmpty()) {
        // Fresh attach: create, mark, enslave and raise, without reading back what was just made. A daemon stopped
        // before the mark leaves the veth unmarked: the adoption after its restart marks it.
        node.addVeth(p.hostName(), ifname, p.mtu(), sandbox, p.mac());
        node.setAlias(p.hostName(), p.mark());
        node.attachUp(p.hostName(), p.bridge());
        if (p.isolated()) {
          node.setBridgePortIsolated(p.hostName(), true);
        }
        if (p.address() != null) {
          inside.addAddress(ifname, p.address());
        }
        inside.setUp(ifname, true);
      } else {
        adopt(p, hostSide.get(), inside, ifname);
      }
      finish(inside, sandboxLinks, ifname, p.defaultGateway());
      return ifname;
    }
  }

  /**
   * Hands the sandbox an interface made on the node: {@code create} makes it under
   * {@code p.nodeName()}; it is moved in, named, given its MAC, address and default route. A
   * sandbox that already has an interface with that MAC (a restarted daemon, a re-sync) keeps it,
   * checked and repaired.
   *
   * @return the interface name inside the sandbox
   */
  public String hand(MovedPort p, Consumer<String> create) {
    return place(p, List.of(), () -> {
      if (node.link(p.nodeName()).isPresent()) {
        node.deleteLink(p.nodeName()); // made by a pass that failed before it could move it
      }
      create.accept(p.nodeName());
    });
  }

  /**
   * Takes in an interface someone else made on the node and keeps (a remote driver's SrcName):
   * as {@link #hand}, and the routes it asks for; it must be on the node under
   * {@code p.nodeName()} unless the sandbox has it already.
   *
   * @return the interface name inside the sandbox
   */
  public String receive(MovedPort p, List<StaticRoute> routes) {
    return place(p, routes, () -> {
      if (node.link(p.nodeName()).isEmpty()) {
        throw new IllegalStateException("interface " + p.nodeName() + " is neither on the node nor in sandbox " + p.netnsPath());
      }
    });
  }

  private String place(MovedPort p, List<StaticRoute> routes, Runnable prepareOnNode) {
    try (NetNamespace sandbox = NetNamespace.open(p.netnsPath()); Netlink inside = netlink.in(sandbox)) {
      List<Link> sandboxLinks = inside.links();
      Optional<Link> mine = sandboxLinks.stream().filter(l -> p.mac().equalsIgnoreCase(l.mac())).findFirst();
      String ifname;
      if (mine.isPresent()) {
        ifname = mine.get().name();
        if (p.address() != null && !inside.addresses(ifname).contains(p.address())) {
          inside.addAddress(ifname, p.address());
        }
        if (!mine.get().up()) {
          inside.setUp(ifname, true);
        }
      } else {
        prepareOnNode.run();
        node.setMac(p.nodeName(), p.mac());
        node.moveTo(p.nodeName(), sandbox);
        ifname = freeName(p.wantedName(), sandboxLinks);
        inside.rename(p.nodeName(), ifname);
        if (p.address() != null) {
          inside.addAddress(ifname, p.address());
        }
        inside.setUp(ifname, true);
      }
      addRoutes(inside, ifname, routes);
      finish(inside, sandboxLinks, ifname, p.defaultGateway());
      return ifname;
    }
  }

  private static void addRoutes(Netlink inside, String ifname, List<StaticRoute> routes) {
    if (routes.isEmpty()) {
      return;
    }
    List<Route> have = inside.routes();
    for (StaticRoute r : routes) {
      if (have.stream().noneMatch(h -> h.destination().equals(r.destination()))) {
        inside.addRoute(r.destination(), r.nextHop(), ifname);
      }
    }
  }

  /**
   * Gives the sandbox's interface with this MAC back to the node under {@code nodeName}, as
   * libnetwork does on leave with an interface a remote driver handed it (the driver may reuse
   * the device). Nothing to do when it, or the sandbox, is gone.
   */
  public void giveBack(String netnsPath, String mac, String nodeName, NetNamespace nodeNamespace) {
    if (netnsPath == null || !Files.exists(Path.of(netnsPath))) {
      return;
    }
    try (NetNamespace sandbox = NetNamespace.open(netnsPath); Netlink inside = netlink.in(sandbox)) {
      Optional<Link> l = inside.links().stream().filter(x -> mac.equalsIgnoreCase(x.mac())).findFirst();
      if (l.isPresent()) {
        inside.setUp(l.get().name(), false);
        if (!l.get().name().equals(nodeName)) {
          inside.rename(l.get().name(), nodeName);
        }
        inside.moveTo(nodeName, nodeNamespace);
      }
    }
  }

  /**
   * A name for the next interface with this prefix in the sandbox (libnetwork's DstPrefix: eth0,
   * eth1...): the wanted name when given, else the prefix with the lowest free index.
   */
  public String nextName(String netnsPath, String prefix) {
    try (NetNamespace sandbox = NetNamespace.open(netnsPath); Netlink inside = netlink.in(sandbox)) {
      return freeName(null, prefix, inside.links());
    }
  }

  /**
   * What every attachment ends with: loopback up, and the default route through this interface
   * when the sandbox has none yet (its first network gives it; later networks do not replace it).
   */
  private static void finish(Netlink inside, List<Link> sandboxLinks, String ifname, IpAddress defaultGateway) {
    if (sandboxLinks.stream().anyMatch(l -> l.name().equals("lo") && !l.up())) {
      inside.setUp("lo", true);
    }
    if (defaultGateway != null
        && inside.routes().stream().noneMatch(r -> r.destination().prefixLength() == 0 && r.destination().family() == 4)) {
      inside.addRoute(null, defaultGateway, ifname);
    }
  }

  /** Deletes the sandbox's interface with this MAC; nothing to do when it, or the sandbox, is gone. */
  public void take(String netnsPath, String mac) {
    if (netnsPath == null || !Files.exists(Path.of(netnsPath))) {
      return;
    }
    try (NetNamespace sandbox = NetNamespace.open(netnsPath); Netlink inside = netlink.in(sandbox)) {
      inside.links().stream().filter(l -> mac.equalsIgnoreCase(l.mac())).findFirst().ifPresent(l -> inside.deleteLink(l.name()));
    }
  }

  /** An existing attachment (a restarted daemon, a re-sync): check every piece, fix only what differs. */
  private void adopt(VethPort p, Link h, Netlink inside, String ifname) {
    if (!p.mark().equals(h.alias())) {
      node.setAlias(p.hostName(), p.mark());
    }
    int bridgeIndex = node.link(p.bridge()).orElseThrow().index();
    if (h.masterIndex() != bridgeIndex || !h.up()) {
      node.attachUp(p.hostName(), p.bridge());
    }
    node.setBridgePortIsolated(p.hostName(), p.isolated());
    if (p.address() != null && !inside.addresses(ifname).contains(p.address())) {
      inside.addAddress(ifname, p.address());
    }
    if (!inside.link(ifname).orElseThrow().up()) {
      inside.setUp(ifname, true);
    }
  }

  /** Removes the veth pair by its node end (the sandbox end goes with it); nothing to do when gone. */
  public void detach(String hostName) {
    if (node.link(hostName).isPresent()) {
      node.deleteLink(hostName);
    }
  }

  /** Brings the sandbox's loopback up (a sandbox on the null driver has nothing else). */
  public void loopbackUp(String netnsPath) {
    try (NetNamespace sandbox = NetNamespace.open(netnsPath); Netlink inside = netlink.in(sandbox)) {
      if (!inside.link("lo").map(Link::up).orElse(true)) {
        inside.setUp("lo", true);
      }
    }
  }

  static String freeName(String wanted, List<Link> links) {
    return freeName(wanted, "eth", links);
  }

  static String freeName(String wanted, String prefix, List<Link> links) {
    if (wanted != null) {
      return wanted;
    }
    Set<String> taken = links.stream().map(Link::name).collect(Collectors.toSet());
    for (int i = 0; ; i++) {
      if (!taken.contains(prefix + i)) {
        return prefix + i;
      }
    }
  }
}
