package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.daemon.config.Settings;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What readiness says before the agent runs: "not running: why" only where it never will in this
 * process (a tool such as cnm-lab stops waiting on it), "starting" while it is being started.
 */
class AgentReadinessTest {
  KubernetesMockServer server;

  @BeforeEach
  void setUp() {
    server = new KubernetesMockServer(false);
    server.init();
  }

  @AfterEach
  void tearDown() {
    server.destroy();
  }

  private String state(Map<String, String> env) {
    var lifecycle = new AgentLifecycle(server.createClient(), new SimpleMeterRegistry(), Settings.of(Map.of(), env, new Properties()));
    var r = new AgentReadiness(lifecycle).call();
    assertThat(r.up()).isFalse();
    return String.valueOf(r.data().get("state"));
  }

  @Test
  void withANodeName_beforeTheAgentStarted_itIsStarting_notNeverRunning() {
    assertThat(state(Map.of("NODE_NAME", "node-1"))).isEqualTo("starting");
  }

  @Test
  void withoutANodeName_itWillNotRun_andSaysWhy() {
    assertThat(state(Map.of())).isEqualTo("not running: NODE_NAME is not set");
  }
}
