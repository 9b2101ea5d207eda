/** Status helpers shared by the operator and the node-daemon. */
package io.cnm.api.status;
