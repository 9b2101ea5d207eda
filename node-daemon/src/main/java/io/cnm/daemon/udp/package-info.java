/**
 * A UDP socket with the kernel's segmentation offloads (UDP GSO to send many equal datagrams in
 * one call, UDP GRO to receive many in one), for the userspace ESP path, where system calls per
 * packet, not the cipher, are the cost. JNA, like the other kernel touchpoints.
 */
package io.cnm.daemon.udp;
