package io.cnm.daemon.agent;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once a pass of the agent has run to its end, and not while passes keep failing whole
 * (three in a row). A daemon without NODE_NAME does nothing for any node, so it is never ready
 * (the DaemonSet sets NODE_NAME from spec.nodeName).
 */
@Readiness
@Singleton
public class AgentReadiness implements HealthCheck {
  private final AgentLifecycle lifecycle;

  public AgentReadiness(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public HealthCheckResponse call() {
    return lifecycle.agent().map(a -> {
      var r = HealthCheckResponse.named("agent").status(a.ready()).withData("failedPassesInARow", a.failedPasses());
      if (a.lastPassError() != null) {
        r.withData("lastPassError", a.lastPassError());
      }
      if (!a.converged()) {
        r.withData("state", "no pass has run to its end yet");
      }
      return r.build();
    })
        .orElseGet(() -> HealthCheckResponse.named("agent").down().withData("state", lifecycle.preflightProblems().isEmpty()
            ? "not running: NODE_NAME is not set" : "not running: " + String.join("; ", lifecycle.preflightProblems())).build());
  }
}
