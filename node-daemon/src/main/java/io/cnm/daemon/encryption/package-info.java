/**
 * Data-plane encryption of overlay traffic between nodes (the seed's "Data Plane Network
 * Encryption"). {@link io.cnm.daemon.encryption.EspTunnel} is the userspace path for kernels
 * without {@code rfc4106(gcm(aes))}: the node routes the VXLAN datagrams of encrypted networks into
 * a TUN device; they leave as ESP in UDP to port 4500 of the peer node, and come back to the
 * kernel decrypted, as if VXLAN had received them directly. A peer without a key gets nothing.
 */
package io.cnm.daemon.encryption;
