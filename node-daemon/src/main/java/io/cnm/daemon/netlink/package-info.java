/**
 * rtnetlink over JNA: links, addresses and routes without starting a process. {@link
 * io.cnm.daemon.netlink.Netlink} is the contract drivers use; {@link io.cnm.daemon.netlink.RouteNetlink}
 * is the implementation. {@link io.cnm.daemon.netlink.NfTables} asks nf_tables over netlink whether a
 * table is there (the one question the daemon asks without libnftables). JNA is confined to this
 * package and io.cnm.daemon.netns.
 */
package io.cnm.daemon.netlink;
