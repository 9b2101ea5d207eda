package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/** An endpoint's addresses (with the subnet's prefix) and the gateway it routes through. */
public record EndpointAllocation(Cidr ipv4, IpAddress gateway, Cidr ipv6, IpAddress gateway6) {}
