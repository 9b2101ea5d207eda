/**
 * The driver contract (node side): {@link io.cnm.daemon.driver.Driver} and the descriptions it
 * receives. Implementations live one per package: bridge, host, none.
 */
package io.cnm.daemon.driver;
