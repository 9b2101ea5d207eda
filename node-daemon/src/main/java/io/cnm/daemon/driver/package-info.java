/**
 * The driver contract (node side): {@link io.cnm.daemon.driver.Driver}, the driver-neutral
 * {@link io.cnm.daemon.driver.NetworkInfo} and {@link io.cnm.daemon.driver.EndpointInfo} it
 * receives, remote {@link io.cnm.daemon.driver.Peer}s, and the registry
 * {@link io.cnm.daemon.driver.Drivers}. Implementations live one per package: bridge, overlay,
 * host, none.
 */
package io.cnm.daemon.driver;
