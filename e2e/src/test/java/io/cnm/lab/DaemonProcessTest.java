package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node-daemon's jar as the image runs it ({@code java -jar cnm-node-daemon.jar}): a daemon that
 * cannot start exits at once, with a line that says why, instead of idling with its probes up.
 * No API server and no NODE_NAME are needed to get there.
 */
class DaemonProcessTest {
  private static final Path JAR = LabDemoTest.HOME.resolve(CnmLab.DAEMON_JAR);

  record Exit(int code, String output) {}

  private static Exit run(Map<String, String> env) throws Exception {
    assumeTrue(Files.exists(JAR), "node-daemon is not built; skipped");
    ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        JAR.toString())).redirectErrorStream(true);
    pb.environment().remove("NODE_NAME");
    pb.environment().put("KUBERNETES_MASTER", "http://127.0.0.1:9");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(20, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    assertThat(ended).as("the daemon exited").isTrue();
    return new Exit(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void aSettingThatDoesNotParse_exits2_withOneLineNamingIt() throws Exception {
    Exit e = run(Map.of("CNM_HTTP_PORT", "94x64"));
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.output().lines().toList())
        .containsExactly("cnm-node-daemon: environment variable CNM_HTTP_PORT is '94x64', expected a whole number");
  }

  @Test
  void aPortAlreadyTaken_exits1_andSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      Exit e = run(Map.of("CNM_HTTP_PORT", String.valueOf(taken.getLocalPort())));
      assertThat(e.code()).isEqualTo(1);
      assertThat(e.output()).contains("ERROR [i.c.d.Main] cnm-node-daemon does not start: Address already in use");
    }
  }
}
