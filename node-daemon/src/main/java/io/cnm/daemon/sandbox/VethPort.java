package io.cnm.daemon.sandbox;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/**
 * One interface of a sandbox reached through a veth pair whose node end sits on a bridge.
 *
 * @param hostName the node end's name (stable, at most 15 characters)
 * @param mark the node end's owner alias
 * @param wantedName the name inside the sandbox, or null for the next free ethN
 * @param mac the sandbox end's MAC; it identifies the interface when the daemon adopts it
 * @param address the sandbox end's address with prefix, or null
 * @param isolated bridge port isolation (enableIcc: false, and the gwbridge)
 * @param defaultGateway the default route to add when the sandbox has none yet, or null
 */
public record VethPort(String hostName, String mark, String bridge, String netnsPath, String wantedName, String mac,
    Cidr address, int mtu, boolean isolated, IpAddress defaultGateway) {}
