package io.cnm.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnm.daemon.config.Settings;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DaemonSet's probes and metrics, over HTTP from a daemon started as its main starts it
 * against an API server: live, not ready while it serves no node (and saying why), metrics in
 * Prometheus' text format.
 */
class HealthEndpointsTest {
  private KubernetesMockServer server;
  private Main.Daemon daemon;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    // No NODE_NAME: the daemon serves no node, as a DaemonSet pod without its downward API would.
    daemon = Main.Daemon.start(Settings.of(Map.of("cnm.http.port", "0"), Map.of(), new Properties()), server.createClient());
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    server.destroy();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(path, null);
  }

  /** GET with this Accept header, or none when null. */
  private HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.httpPort() + path));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void liveness_isUp() throws Exception {
    HttpResponse<String> r = get("/q/health/live");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = new ObjectMapper().readTree(r.body());
    assertThat(doc.path("status").asText()).isEqualTo("UP");
    assertThat(doc.path("checks").get(0).path("name").asText()).isEqualTo("agent-loop");
  }

  @Test
  void readiness_isDownWithoutANodeName_andSaysWhy() throws Exception {
    HttpResponse<String> r = get("/q/health/ready");
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode doc = new ObjectMapper().readTree(r.body());
    assertThat(doc.path("status").asText()).isEqualTo("DOWN");
    assertThat(doc.path("checks").get(0).path("data").path("state").asText()).isEqualTo("not running: NODE_NAME is not set");
  }

  @Test
  void metrics_areOpenMetrics_withTheJvmsAndTheDaemonsOwn_asTheQuarkusBuildServedThem() throws Exception {
    HttpResponse<String> r = get("/q/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
    assertThat(r.body()).contains("# TYPE jvm_memory_used_bytes gauge", "process_uptime_seconds", "cnm_endpoint_attach_seconds_bucket")
        .endsWith("# EOF\n");
    // Series as dashboards and the lab's tests read them: no trailing comma in the labels.
    assertThat(r.body().lines()).anyMatch(l -> l.startsWith("cnm_endpoint_attach_seconds_count{outcome=\"ok\"} "));
  }

  @Test
  void metrics_areThePrometheusTextFormat_whereTheScraperAcceptsIt() throws Exception {
    // Prometheus' own Accept header: OpenMetrics first, the text format at a lower weight.
    HttpResponse<String> r = get("/q/metrics", "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("# TYPE jvm_memory_used_bytes gauge").doesNotContain("# EOF");
  }

  @Test
  void anUnknownPath_is404_andTheSandboxReport_is503WithoutAnAgent() throws Exception {
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    HttpResponse<String> r = get("/q/cnm/endpoints/default/web");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("agent does not run");
  }
}
