/** The CnmEndpoint reconciler: node binding, address and MAC, status. */
package io.cnm.operator.endpoint;
