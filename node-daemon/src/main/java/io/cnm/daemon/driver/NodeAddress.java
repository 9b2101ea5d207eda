package io.cnm.daemon.driver;

import io.cnm.api.net.IpAddress;

/** A node of the cluster as drivers learn of it: its name, underlay address, and whether it is this node. */
public record NodeAddress(String name, IpAddress address, boolean self) {}
