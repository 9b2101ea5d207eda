package io.cnm.operator.admission;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * The HTTPS server the API server calls with AdmissionReviews: POST of a review on a path, its
 * answer back. The JDK's server, so the Quarkus operator and the lab's plain one serve the same
 * way; its TLS context can be replaced while it runs (each new connection takes the current
 * one), so a renewed certificate needs no restart.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WebhookServer.class);
  /** A review is a few kilobytes; anything much larger is not one. */
  private static final int MAX_BODY = 3 * 1024 * 1024;
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpsServer server;
  private final ExecutorService threads;
  private volatile SSLContext tls;

  private WebhookServer(HttpsServer server, ExecutorService threads, SSLContext tls) {
    this.server = server;
    this.threads = threads;
    this.tls = tls;
  }

  /** Serves {@code handler} on POST {@code path} at {@code address} with {@code tls}; port 0 takes a free one. */
  public static WebhookServer start(InetSocketAddress address, SSLContext tls, String path, UnaryOperator<byte[]> handler) throws IOException {
    // The JDK's server writes a response's headers and body apart; with Nagle on, the body waits for
    // the caller's delayed ACK (40 ms on Linux) under load. Read once, when the server class loads.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    HttpsServer server = HttpsServer.create(address, 64);
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "admission-webhook");
      t.setDaemon(true);
      return t;
    });
    WebhookServer self = new WebhookServer(server, threads, tls);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public SSLContext getSSLContext() {
        return self.tls;
      }
    });
    server.createContext(path, exchange -> self.serve(exchange, handler));
    server.setExecutor(threads);
    server.start();
    return self;
  }

  /** New connections use {@code next} (a renewed certificate). */
  public void useTls(SSLContext next) {
    this.tls = next;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange exchange, UnaryOperator<byte[]> handler) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, "only POST".getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        reply(exchange, 413, "request too large".getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      }
      byte[] answer;
      try {
        answer = handler.apply(body);
      } catch (IllegalArgumentException e) {
        reply(exchange, 400, e.getMessage().getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      } catch (RuntimeException e) {
        LOG.warnf(e, "admission review failed");
        reply(exchange, 500, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      }
      reply(exchange, 200, answer, "application/json");
    }
  }

  private static void reply(HttpExchange exchange, int code, byte[] body, String type) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
