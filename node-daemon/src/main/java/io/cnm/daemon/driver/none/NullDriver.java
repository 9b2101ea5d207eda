package io.cnm.daemon.driver.none;

import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.NetlinkFactory;
import io.cnm.daemon.netns.NetNamespace;

/**
 * Docker's null driver (seed: "None (Isolated) Network Driver"): the sandbox keeps its own stack
 * with loopback only. Joining brings {@code lo} up and adds no interface.
 */
public final class NullDriver implements Driver {
  private final NetlinkFactory netlink;

  public NullDriver(NetlinkFactory netlink) {
    this.netlink = netlink;
  }

  @Override
  public String name() {
    return "null";
  }

  @Override
  public void ensureNetwork(NetworkInfo network) {
    // Nothing on the node.
  }

  @Override
  public void removeNetwork(NetworkInfo network) {
    // Nothing on the node.
  }

  @Override
  public String join(NetworkInfo network, EndpointInfo endpoint) {
    try (NetNamespace sandbox = NetNamespace.open(endpoint.netnsPath()); Netlink inside = netlink.in(sandbox)) {
      if (!inside.link("lo").map(Link::up).orElse(true)) {
        inside.setUp("lo", true);
      }
    }
    return null;
  }

  @Override
  public void leave(NetworkInfo network, EndpointInfo endpoint) {
    // Loopback stays.
  }
}
