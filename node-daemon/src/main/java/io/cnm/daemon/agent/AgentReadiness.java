package io.cnm.daemon.agent;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the agent has converged the node at least once. A daemon without NODE_NAME does
 * nothing for any node, so it is never ready (the DaemonSet sets NODE_NAME from spec.nodeName).
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
    return lifecycle.agent().map(a -> HealthCheckResponse.named("agent").status(a.converged()).build())
        .orElseGet(() -> HealthCheckResponse.named("agent").down().withData("state", "not running: NODE_NAME is not set").build());
  }
}
