/** The node-daemon's control loop: desired state from the API, converged into the kernel, reported in status. */
package io.cnm.daemon.agent;
