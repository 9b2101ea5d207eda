package io.cnm.daemon.netlink;

import io.cnm.api.net.IpAddress;

/** A neighbour (ARP/NDP) entry, or a bridge FDB entry when {@code ip} is a VTEP behind a MAC. */
public record Neighbour(int deviceIndex, IpAddress ip, String mac, boolean permanent) {}
