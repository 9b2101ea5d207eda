/**
 * The node-daemon: a privileged DaemonSet agent that realizes its node's part of each network
 * (bridges, veths, VXLAN, nftables, embedded DNS) in the Linux kernel.
 */
package io.cnm.daemon;
