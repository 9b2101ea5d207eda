/** nftables: the node's filtering and NAT as one table ({@code inet cnm}), rendered purely and applied atomically, through the nft tool or libnftables. */
package io.cnm.daemon.nft;
