package io.cnm.daemon.agent;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.Route;
import java.util.Optional;

/** Finds the node's underlay: the configured address, else the IPv4 address of the default route's interface. */
final class Underlays {
  private Underlays() {}

  static Underlay detect(Netlink node, Optional<IpAddress> configured) {
    for (Link l : node.links()) {
      for (Cidr c : node.addresses(l.name())) {
        if (configured.isPresent() && c.address().equals(configured.get())) {
          return new Underlay(c.address(), l.mtu());
        }
      }
    }
    if (configured.isPresent()) {
      throw new IllegalStateException("cnm.node.address " + configured.get() + " is not an address of this node");
    }
    for (Route r : node.routes()) {
      if (r.destination().prefixLength() == 0 && r.destination().family() == 4 && r.deviceIndex() > 0) {
        for (Link l : node.links()) {
          if (l.index() == r.deviceIndex()) {
            Optional<Cidr> a = node.addresses(l.name()).stream().filter(c -> c.family() == 4).findFirst();
            if (a.isPresent()) {
              return new Underlay(a.get().address(), l.mtu());
            }
          }
        }
      }
    }
    return new Underlay(null, 1500);
  }
}
