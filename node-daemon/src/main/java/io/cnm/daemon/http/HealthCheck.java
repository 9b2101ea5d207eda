package io.cnm.daemon.http;

import java.util.Map;

/**
 * One check behind a probe ({@code /q/health/live} or {@code /q/health/ready}): the kubelet
 * restarts a daemon whose liveness is down and sends no traffic decisions on an unready one.
 * {@link #call()} runs on the HTTP server's thread at every probe, so it must only read state.
 */
@FunctionalInterface
public interface HealthCheck {
  /** The check's result now. */
  Result call();

  /** A check's outcome, with the data a user reads to see why (kept in insertion order). */
  record Result(String name, boolean up, Map<String, Object> data) {
    public Result {
      data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }
  }
}
