package io.cnm.daemon.agent;

import io.cnm.daemon.http.HealthCheck;
import java.util.Map;

/**
 * Down when the agent's loop is stuck: one pass running longer than {@code cnm.agent.stuck-after-ms}
 * (2 minutes; every piece of work in a namespace times out after 30 s, so only a hang gets
 * there). The kubelet then restarts the daemon, which adopts what the kernel holds.
 */
public class AgentLiveness implements HealthCheck {
  private final AgentLifecycle lifecycle;
  private final long stuckAfterMillis;

  public AgentLiveness(AgentLifecycle lifecycle, long stuckAfterMillis) {
    this.lifecycle = lifecycle;
    this.stuckAfterMillis = stuckAfterMillis;
  }

  @Override
  public Result call() {
    long running = lifecycle.agent().map(NodeAgent::passRunningMillis).orElse(0L);
    return new Result("agent-loop", running < stuckAfterMillis, Map.of("passRunningMillis", running));
  }
}
