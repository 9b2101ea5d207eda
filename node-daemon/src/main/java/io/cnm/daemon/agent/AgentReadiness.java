package io.cnm.daemon.agent;

import io.cnm.daemon.http.HealthCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ready once a pass of the agent has run to its end, and not while passes keep failing whole
 * (three in a row). A daemon without NODE_NAME does nothing for any node, so it is never ready
 * (the DaemonSet sets NODE_NAME from spec.nodeName); its state then says "not running: why", and
 * "starting" while the agent is being started.
 */
public class AgentReadiness implements HealthCheck {
  private final AgentLifecycle lifecycle;

  public AgentReadiness(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public Result call() {
    return lifecycle.agent().map(a -> {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("failedPassesInARow", a.failedPasses());
      if (a.lastPassError() != null) {
        data.put("lastPassError", a.lastPassError());
      }
      if (!a.converged()) {
        data.put("state", "no pass has run to its end yet");
      }
      return new Result("agent", a.ready(), data);
    }).orElseGet(() -> new Result("agent", false, Map.of("state", lifecycle.whyNotRunning().map(why -> "not running: " + why)
        .orElse("starting"))));
  }
}
