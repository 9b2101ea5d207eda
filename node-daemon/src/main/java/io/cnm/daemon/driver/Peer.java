package io.cnm.daemon.driver;

import io.cnm.api.net.IpAddress;

/**
 * An endpoint of the network on another node, as learned from the gossip's endpoint table: its
 * address and MAC, and the underlay address (VTEP) of the node that holds it.
 */
public record Peer(IpAddress ip, String mac, IpAddress vtep) {}
