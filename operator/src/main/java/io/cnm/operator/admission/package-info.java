/**
 * The operator's mutating admission webhook: a CnmEndpoint is created with the labels and the
 * finalizer the endpoint reconciler would otherwise patch on, so its first reconcile makes one
 * write (the status) instead of two. The review itself ({@link io.cnm.operator.admission.EndpointAdmission}) is
 * pure; the HTTPS server, its certificate and the webhook's registration are separate classes.
 */
package io.cnm.operator.admission;
