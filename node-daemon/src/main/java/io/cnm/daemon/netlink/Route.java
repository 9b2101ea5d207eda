package io.cnm.daemon.netlink;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/** A route of the main table: destination (a /0 for the default route), gateway (or null), device index. */
public record Route(Cidr destination, IpAddress gateway, int deviceIndex) {}
