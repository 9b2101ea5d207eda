/**
 * Docker's remote network drivers (the seed's "Docker Remote Network Drivers"): a plugin found
 * by name drives networks whose {@code spec.driver} names it, through libnetwork's calls in
 * libnetwork's order. The plugin makes the interfaces; this package moves them into sandboxes
 * and back, and remembers on disk what the plugin was asked to create, so every CreateEndpoint
 * gets its DeleteEndpoint and every CreateNetwork its DeleteNetwork, across daemon restarts and
 * while the plugin is away.
 */
package io.cnm.daemon.driver.remote;
