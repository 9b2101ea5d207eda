/** Conditions, status comparison and events: how the operator tells users what it decided and why. */
package io.cnm.operator.status;
