/** The bridge driver: a Linux bridge per network, a veth per endpoint. */
package io.cnm.daemon.driver.bridge;
