/**
 * rtnetlink over JNA: links, addresses and routes without starting a process. {@link
 * io.cnm.daemon.netlink.Netlink} is the contract drivers use; {@link io.cnm.daemon.netlink.RouteNetlink}
 * is the implementation. JNA is confined to this package and io.cnm.daemon.netns.
 */
package io.cnm.daemon.netlink;
