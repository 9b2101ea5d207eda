/**
 * The macvlan driver (seed: "MACVLAN", "VLAN Trunking with MACVLAN"): each endpoint a macvlan
 * child of a node interface, on the physical L2 network, with no bridge, NAT or published ports.
 */
package io.cnm.daemon.driver.macvlan;
