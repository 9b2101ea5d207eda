/**
 * The control plane between node-daemons (seed: "Docker Network Control Plane"): SWIM membership
 * with memberlist's and Lifeguard's refinements ({@link io.cnm.daemon.gossip.Memberlist}),
 * network-scoped tables with Lamport clocks and tombstones ({@link io.cnm.daemon.gossip.NetworkDb}),
 * every message sealed with AES-GCM under a rotating {@link io.cnm.daemon.gossip.Keyring}, over
 * a {@link io.cnm.daemon.gossip.Transport} (Netty UDP + TCP, or an in-memory network in tests).
 */
package io.cnm.daemon.gossip;
