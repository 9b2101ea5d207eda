/** The null driver (Docker's "none"): loopback only. */
package io.cnm.daemon.driver.none;
