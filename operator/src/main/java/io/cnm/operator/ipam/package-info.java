/**
 * The native IPAM driver: pure allocation of subnets, addresses, VIPs and VNIs, with no I/O.
 * See src-docs/ipam.md for pools, scope and how allocation survives restarts.
 */
package io.cnm.operator.ipam;
