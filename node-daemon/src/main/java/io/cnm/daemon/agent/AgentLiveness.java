package io.cnm.daemon.agent;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down when the agent's loop is stuck: one pass running longer than {@code cnm.agent.stuck-after-ms}
 * (2 minutes; every piece of work in a namespace times out after 30 s, so only a hang gets
 * there). The kubelet then restarts the daemon, which adopts what the kernel holds.
 */
@Liveness
@Singleton
public class AgentLiveness implements HealthCheck {
  private final AgentLifecycle lifecycle;
  private final long stuckAfterMillis;

  public AgentLiveness(AgentLifecycle lifecycle, @ConfigProperty(name = "cnm.agent.stuck-after-ms", defaultValue = "120000") long stuckAfterMillis) {
    this.lifecycle = lifecycle;
    this.stuckAfterMillis = stuckAfterMillis;
  }

  @Override
  public HealthCheckResponse call() {
    long running = lifecycle.agent().map(NodeAgent::passRunningMillis).orElse(0L);
    return HealthCheckResponse.named("agent-loop").status(running < stuckAfterMillis).withData("passRunningMillis", running).build();
  }
}
