package io.cnm.daemon.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The daemon's HTTP server (see the package). Requests run on two threads of their own, so a
 * slow sandbox report does not hold a probe.
 */
public final class DaemonHttp implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DaemonHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ENDPOINTS = "/q/cnm/endpoints/";

  /** What a route answers. */
  public record Response(int status, String contentType, String body) {
    public static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }

  /** The sandbox report: answers for one endpoint. */
  @FunctionalInterface
  public interface EndpointReport {
    Response get(String namespace, String name);
  }

  private final List<HealthCheck> liveness;
  private final List<HealthCheck> readiness;
  private final UnaryOperator<String> metrics;
  private final EndpointReport endpoints;
  private HttpServer server;
  private ExecutorService executor;

  /**
   * @param metrics the Prometheus exposition in the content type given ({@link #metricsContentType})
   * @param endpoints the sandbox report, or null where it is off ({@code cnm.debug.enabled=false})
   */
  public DaemonHttp(List<HealthCheck> liveness, List<HealthCheck> readiness, UnaryOperator<String> metrics, EndpointReport endpoints) {
    this.liveness = List.copyOf(liveness);
    this.readiness = List.copyOf(readiness);
    this.metrics = metrics;
    this.endpoints = endpoints;
  }

  /** Listens on every address of the daemon's namespace at {@code port} (0: any free port, see {@link #port()}). */
  public DaemonHttp start(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "cnm-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    LOG.infof("HTTP on port %d: /q/health/live, /q/health/ready, /q/metrics%s", port(), endpoints == null ? "" : ", " + ENDPOINTS + "NS/NAME");
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * The metrics' format for a request's Accept header, as the daemon's Quarkus build chose it (so
   * scrapers and dashboards see what they saw): Prometheus' text format where the client accepts
   * text/plain (Prometheus itself does, at a lower weight), OpenMetrics otherwise.
   */
  static String metricsContentType(String accept) {
    return accept != null && (accept.contains("text/plain") || accept.contains("text/html")) ? TEXT_004 : OPENMETRICS;
  }

  /** The answer to GET {@code path}: the routing, apart from the server so it can be tested on its own. */
  public Response route(String path, String accept) {
    return switch (path) {
      case "/q/health/live" -> health(liveness);
      case "/q/health/ready" -> health(readiness);
      case "/q/health" -> {
        List<HealthCheck> all = new ArrayList<>(liveness);
        all.addAll(readiness);
        yield health(all);
      }
      case "/q/metrics" -> {
        String type = metricsContentType(accept);
        yield new Response(200, type, metrics.apply(type));
      }
      default -> endpoint(path);
    };
  }

  private Response endpoint(String path) {
    if (endpoints != null && path.startsWith(ENDPOINTS)) {
      String[] parts = path.substring(ENDPOINTS.length()).split("/", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
        return endpoints.get(parts[0], parts[1]);
      }
    }
    return Response.text(404, "no such resource: " + path + "\n");
  }

  /** MicroProfile Health's document: UP only when every check is; 503 otherwise, which the kubelet's probe reads. */
  static Response health(List<HealthCheck> checks) {
    boolean up = true;
    List<Map<String, Object>> results = new ArrayList<>();
    for (HealthCheck c : checks) {
      HealthCheck.Result r;
      try {
        r = c.call();
      } catch (RuntimeException e) {
        r = new HealthCheck.Result(c.getClass().getSimpleName(), false, Map.of("error", String.valueOf(e)));
      }
      up &= r.up();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", r.name());
      one.put("status", r.up() ? "UP" : "DOWN");
      if (!r.data().isEmpty()) {
        one.put("data", r.data());
      }
      results.add(one);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("status", up ? "UP" : "DOWN");
    doc.put("checks", results);
    try {
      return new Response(up ? 200 : 503, "application/json; charset=utf-8", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Response r;
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().add("Allow", "GET, HEAD");
        r = Response.text(405, "only GET\n");
      } else {
        try {
          r = route(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Accept"));
        } catch (RuntimeException e) {
          LOG.warnf(e, "GET %s failed", ex.getRequestURI().getPath());
          r = Response.text(500, e + "\n");
        }
      }
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", r.contentType());
      boolean head = ex.getRequestMethod().equals("HEAD");
      // -1: no body; 0 would mean a chunked one.
      ex.sendResponseHeaders(r.status(), head || body.length == 0 ? -1 : body.length);
      if (!head && body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
