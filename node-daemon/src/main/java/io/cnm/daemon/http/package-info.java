/**
 * The node-daemon's HTTP endpoints on its host port: the DaemonSet's probes
 * ({@code /q/health/live}, {@code /q/health/ready}, in MicroProfile Health's JSON), Prometheus
 * metrics ({@code /q/metrics}) and the read-only sandbox report of {@code kubectl cnm debug}
 * ({@code /q/cnm/endpoints/NAMESPACE/NAME}). The JDK's own HTTP server: a probe every few seconds
 * needs no framework.
 */
package io.cnm.daemon.http;
