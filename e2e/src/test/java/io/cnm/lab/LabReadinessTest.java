package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the lab waits for a server's readiness: a node-daemon whose preflight found a required tool
 * missing says so on /q/health/ready and stays up unready; the lab stops at once with what it
 * said rather than after its whole wait. Against a real HTTP server on loopback, answering as the
 * daemon's readiness does.
 */
class LabReadinessTest {
  static final String NOT_RUNNING = "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"agent\",\"status\":\"DOWN\",\"data\":{\"state\":"
      + "\"not running: missing nftables (libnftables.so.1 or the nft tool): install the nftables package on the node\"}}]}";
  static final String STARTING = "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"agent\",\"status\":\"DOWN\",\"data\":{\"state\":"
      + "\"no pass has run to its end yet\"}}]}";
  HttpServer server;

  /** A readiness endpoint answering 503 with {@code body} to the first {@code unready} requests, then 200. */
  int serve(String body, int unready) throws Exception {
    AtomicInteger asked = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/q/health/ready", x -> {
      boolean ready = asked.incrementAndGet() > unready;
      byte[] b = (ready ? "{\"status\":\"UP\",\"checks\":[]}" : body).getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(ready ? 200 : 503, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    server.start();
    return server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aDaemonThatSaysItWillNotRun_stopsTheWaitAtOnce_withItsReason() throws Exception {
    int port = serve(NOT_RUNNING, Integer.MAX_VALUE);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> CnmLab.awaitReady(port, "node-daemon of node1", Path.of("/run/cnm-lab/node-daemon-node1.log"), () -> true,
        60_000)).isInstanceOf(LabException.class)
        .hasMessage("node-daemon of node1 does not start: missing nftables (libnftables.so.1 or the nft tool): install the nftables "
            + "package on the node; see /run/cnm-lab/node-daemon-node1.log");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the lab gave up").isLessThan(5_000);
  }

  @Test
  void anAnswerReadInsideALabNamespace_isTakenAsOneOverLoopback() {
    String raw = "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n" + NOT_RUNNING;
    assertThatThrownBy(() -> CnmLab.awaitReady(() -> CnmLab.Answer.of(raw), "node-daemon of node1 (image)", Path.of("n.log"), () -> true,
        60_000)).isInstanceOf(LabException.class).hasMessageStartingWith("node-daemon of node1 (image) does not start: missing nftables");
    CnmLab.awaitReady(() -> CnmLab.Answer.of("HTTP/1.0 200 OK\r\n\r\n{}"), "operator (image)", Path.of("o.log"), () -> true, 1_000);
    assertThat(CnmLab.Answer.of("")).isEqualTo(CnmLab.Answer.NONE);
  }

  @Test
  void aDaemonStillStarting_isWaitedFor_untilReady() throws Exception {
    int port = serve(STARTING, 3);
    CnmLab.awaitReady(port, "node-daemon of node1", Path.of("x.log"), () -> true, 60_000);
  }

  @Test
  void aServerWhoseProcessExited_stopsTheWait() throws Exception {
    int port = serve(STARTING, Integer.MAX_VALUE);
    assertThatThrownBy(() -> CnmLab.awaitReady(port, "operator", Path.of("/run/cnm-lab/operator.log"), () -> false, 60_000))
        .isInstanceOf(LabException.class).hasMessage("operator exited; see /run/cnm-lab/operator.log");
  }

  @Test
  void anUnreadyServer_failsAfterTheWait_namingItsLog() throws Exception {
    int port = serve(STARTING, Integer.MAX_VALUE);
    assertThatThrownBy(() -> CnmLab.awaitReady(port, "operator", Path.of("op.log"), () -> true, 1_000))
        .isInstanceOf(LabException.class).hasMessage("operator did not become ready in 1 s; see op.log");
  }
}
