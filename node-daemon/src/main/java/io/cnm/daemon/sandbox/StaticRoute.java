package io.cnm.daemon.sandbox;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;

/** A route a driver asks for inside the sandbox: through {@code nextHop}, or on the link when it is null. */
public record StaticRoute(Cidr destination, IpAddress nextHop) {}
