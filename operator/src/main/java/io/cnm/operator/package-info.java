/**
 * The operator: owns the cluster-wide decisions of the Container Network Model (IPAM pools and
 * addresses, overlay VNIs, service VIPs, binding endpoints to nodes) and writes each decision
 * into the status of the object it concerns, so a restarted operator rebuilds its state from the
 * API alone.
 */
package io.cnm.operator;
