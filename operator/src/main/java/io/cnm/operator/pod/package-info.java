/** Pods annotated cnm.io/networks: their CnmEndpoints, created and removed with them. */
package io.cnm.operator.pod;
