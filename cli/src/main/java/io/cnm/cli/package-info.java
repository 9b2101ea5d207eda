/**
 * {@code kubectl cnm}: the cnm API read as Docker's CLI reads networks and services
 * ({@code docker network ls / inspect}), and {@code kubectl cnm debug} for the seed's
 * troubleshooting section. Read-only: it never writes an object.
 */
package io.cnm.cli;
