/** The host driver: the sandbox is the node's namespace. */
package io.cnm.daemon.driver.host;
