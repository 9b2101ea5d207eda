/**
 * The overlay driver: per network a bridge and a VXLAN device on every node with a local
 * endpoint, remote peers as static FDB and neighbour entries learned by gossip, and the node's
 * gwbridge for egress (seed: "Overlay Driver Network Architecture").
 */
package io.cnm.daemon.driver.overlay;
