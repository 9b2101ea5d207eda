package io.cnm.daemon.netlink;

import io.cnm.daemon.netns.NetNamespace;

/** Opens {@link Netlink} inside a given namespace; drivers get one injected, tests may count calls. */
@FunctionalInterface
public interface NetlinkFactory {
  Netlink in(NetNamespace namespace);

  /** The real one: an rtnetlink socket created inside the namespace. */
  static NetlinkFactory kernel() {
    return RouteNetlink::in;
  }
}
