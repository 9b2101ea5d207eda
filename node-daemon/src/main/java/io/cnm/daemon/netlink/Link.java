package io.cnm.daemon.netlink;

/**
 * A network interface as the kernel reports it.
 *
 * @param kind the rtnetlink kind (bridge, veth, vxlan, macvlan) or null for a physical or loopback device
 * @param masterIndex index of the bridge it is enslaved to, or 0
 * @param alias the interface alias (ifalias), or null; the daemon marks what it creates with one
 */
public record Link(int index, String name, String kind, int mtu, String mac, boolean up, int masterIndex, String alias) {}
