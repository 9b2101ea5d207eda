/**
 * The operator's side of the cluster PKI (seed: "Control Plane Security"): the CA, and a
 * certificate for each node-daemon's own key, rotated before it expires and withdrawn from a node
 * that left the cluster.
 */
package io.cnm.operator.pki;
