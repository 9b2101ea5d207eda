/**
 * The messages of Docker's remote IPAM driver protocol ({@code /IpamDriver.*}), field for field
 * as libnetwork sends and reads them.
 */
package io.cnm.plugin.ipam;
