/** Typed errors by category (InvalidConfig, Conflict, NotFound, Transient) and the condition reasons they carry. */
package io.cnm.operator.error;
