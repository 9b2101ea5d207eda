/** Rebuilding the IPAM from the API on start, and the nodes' own subnets it must avoid. */
package io.cnm.operator.recovery;
