/**
 * The cnm.io/v1alpha1 API: Docker's Container Network Model objects as Kubernetes custom
 * resources. Field names follow Docker's ({@code docker network create} flags and the
 * {@code docker network inspect} output) in camelCase; schema constraints and CEL rules on the
 * classes become the generated CRD's validation, and {@link io.cnm.api.validation.SpecValidator}
 * enforces the same rules in Java.
 */
package io.cnm.api.v1alpha1;
