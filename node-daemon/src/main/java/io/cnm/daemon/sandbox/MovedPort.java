package io.cnm.daemon.sandbox;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/**
 * One interface of a sandbox that a driver makes on the node and hands over whole (a macvlan
 * child): moved into the sandbox, named, addressed and routed there. Its MAC identifies it when
 * the daemon adopts it.
 *
 * @param nodeName the name it has on the node until it moves (stable, at most 15 characters)
 * @param wantedName the name inside the sandbox, or null for the next free ethN
 * @param defaultGateway the default route to add when the sandbox has none yet, or null
 */
public record MovedPort(String nodeName, String netnsPath, String wantedName, String mac, Cidr address, IpAddress defaultGateway) {}
