package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/**
 * An endpoint's addresses (with the subnet's prefix) and the gateway it routes through.
 *
 * @param mac the MAC the IPAM driver was given with the request (a remote driver that requires
 *     one), which the endpoint must then use; null when the IPAM took none
 */
public record EndpointAllocation(Cidr ipv4, IpAddress gateway, Cidr ipv6, IpAddress gateway6, String mac) {}
