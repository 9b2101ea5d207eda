/** Operator configuration: IPAM default pools and leader election. */
package io.cnm.operator.config;
