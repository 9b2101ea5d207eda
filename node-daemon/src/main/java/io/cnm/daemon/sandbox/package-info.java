/**
 * The sandbox layer shared by every driver: moving an interface into a sandbox (a network
 * namespace), naming, addressing and routing it. Drivers build only the node side.
 */
package io.cnm.daemon.sandbox;
