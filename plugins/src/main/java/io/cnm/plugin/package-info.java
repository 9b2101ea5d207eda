/**
 * libnetwork's side of Docker's plugin protocol (the seed's "CNM Driver Interfaces"): finding a
 * plugin by name as Docker does ({@link io.cnm.plugin.PluginLocator}), the {@code Plugin.Activate}
 * handshake, and JSON calls over HTTP on a unix or TCP socket with a timeout and a back-off
 * ({@link io.cnm.plugin.PluginClient}). The messages of the two plugin kinds cnm runs live in
 * {@link io.cnm.plugin.network} and {@link io.cnm.plugin.ipam}.
 */
package io.cnm.plugin;
