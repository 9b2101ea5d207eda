package io.cnm.daemon.agent;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the agent has converged the node at least once (or when it does not run at all). */
@Readiness
@Singleton
public class AgentReadiness implements HealthCheck {
  private final AgentLifecycle lifecycle;

  public AgentReadiness(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public HealthCheckResponse call() {
    return lifecycle.agent().map(a -> HealthCheckResponse.named("agent").status(a.converged()).build())
        .orElseGet(() -> HealthCheckResponse.named("agent").up().withData("state", "not running: NODE_NAME is not set").build());
  }
}
