/**
 * The cluster PKI of the control plane (seed: "Control Plane Security"): the operator's CA and a
 * certificate per node-daemon, kept in Secrets that the operator writes and the daemons read.
 * The gossip's TCP full-state sync runs over mutual TLS with them.
 */
package io.cnm.api.pki;
