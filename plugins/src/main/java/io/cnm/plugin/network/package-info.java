/**
 * The messages of Docker's remote network driver protocol ({@code /NetworkDriver.*}), field for
 * field as libnetwork sends and reads them. {@link io.cnm.plugin.network.NetworkDriverApi} names
 * the calls.
 */
package io.cnm.plugin.network;
