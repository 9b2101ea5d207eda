package io.cnm.daemon.driver;

import io.cnm.api.net.IpAddress;

/**
 * The node's underlay: the address other nodes reach it at (its VTEP and gossip address) and the
 * MTU of the interface that holds it (the overlay subtracts VXLAN's 50 bytes from it).
 */
public record Underlay(IpAddress address, int mtu) {}
