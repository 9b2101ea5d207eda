/**
 * ESP for encrypted overlays (the seed's "Data Plane Network Encryption"): RFC 4303 packets with
 * AES-GCM (RFC 4106), a replay window, and the UDP encapsulation of RFC 3948 (port 4500), so that
 * the userspace path on a kernel without {@code rfc4106(gcm(aes))} sends what standard tools
 * decode as ESP. Pure functions over byte buffers: no sockets, no kernel here.
 */
package io.cnm.daemon.esp;
