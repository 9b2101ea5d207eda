/**
 * TUN devices (the kernel's {@code /dev/net/tun}) through JNA: where the userspace ESP path reads
 * the packets the kernel routes to it and writes the ones it decrypted. JNA lives here as in
 * io.cnm.daemon.netlink: behind {@link io.cnm.daemon.tun.TunDevice}.
 */
package io.cnm.daemon.tun;
