package io.cnm.plugin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Calls one plugin by name, as Docker's plugin client does: the plugin is found through the
 * {@link PluginLocator} on each call (it may move or come back elsewhere), activated with the
 * {@code Plugin.Activate} handshake before its first call and again after it went away (a
 * restarted plugin is greeted anew), and then called with {@code POST /Kind.Method} and a JSON
 * body. Every call has a timeout. After the plugin was unreachable, further calls fail at once
 * until a back-off (doubling, capped) has passed, so a dead plugin costs one timeout per
 * back-off, not one per call. An answer that carries {@code Err} (network drivers) or
 * {@code Error} (IPAM drivers), or a status other than 200, is the plugin's own error.
 */
public final class PluginClient {
  private static final Logger LOG = Logger.getLogger(PluginClient.class);
  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String name;
  private final PluginLocator locator;
  private final long timeoutMillis;
  private final long backoffMaxMillis;
  private final LongSupplier clock;
  private PluginAddress activated;
  private List<String> implementsKinds = List.of();
  private int failures;
  private long retryAt;
  private String lastProblem;

  /**
   * @param timeoutMillis the longest a call may take, connect to answer
   * @param backoffMaxMillis the longest wait between attempts to reach an unreachable plugin
   * @param clock milliseconds, monotonic
   */
  public PluginClient(String name, PluginLocator locator, long timeoutMillis, long backoffMaxMillis, LongSupplier clock) {
    this.name = name;
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
    this.backoffMaxMillis = backoffMaxMillis;
    this.clock = clock;
  }

  public String name() {
    return name;
  }

  /**
   * Calls {@code kind.method} (e.g. NetworkDriver.CreateNetwork) with the request as JSON and
   * reads the answer as {@code type}.
   *
   * @throws PluginException UNAVAILABLE (not found, not activated as {@code kind}, no answer in
   *     time, not the protocol) or ERROR (the plugin's own error, verbatim in the message)
   */
  public synchronized <T> T call(String kind, String method, Object request, Class<T> type) {
    long now = clock.getAsLong();
    if (failures > 0 && now < retryAt) {
      throw new PluginException(PluginException.UNAVAILABLE, lastProblem + " (next attempt in " + (retryAt - now) + " ms)");
    }
    PluginLocator.Found found;
    try {
      found = locator.find(name).orElseThrow(() -> new PluginException(PluginException.UNAVAILABLE,
          "plugin " + name + " not found: looked for " + locator.searchedSummary(name)));
      if (!found.address().equals(activated) || !implementsKinds.contains(kind)) {
        activate(found, kind);
      }
    } catch (PluginException e) {
      throw unreachable(e);
    }
    String path = "/" + kind + "." + method;
    HttpExchange.Answer answer;
    try {
      byte[] body = request == null ? new byte[0] : JSON.writeValueAsBytes(request);
      answer = HttpExchange.post(found.address().socket(), path, body, timeoutMillis);
    } catch (IOException e) {
      activated = null; // greet it again once it is back: it may have restarted
      throw unreachable(new PluginException(PluginException.UNAVAILABLE, "plugin " + name + " at " + found.address() + " did not answer "
          + path + ": " + describe(e), e));
    }
    failures = 0;
    JsonNode tree = readTree(path, answer);
    String err = pluginError(tree);
    if (err != null || answer.status() != 200) {
      throw new PluginException(PluginException.ERROR, "plugin " + name + " refused " + method + ": "
          + (err != null ? err : "HTTP " + answer.status() + " " + new String(answer.body(), StandardCharsets.UTF_8).trim()));
    }
    try {
      return tree == null || type == Void.class ? null : JSON.treeToValue(tree, type);
    } catch (IOException e) {
      throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": the answer to " + path + " is not the protocol's: "
          + e.getMessage(), e);
    }
  }

  /** The kinds the plugin said it implements at its last activation (empty before the first). */
  public synchronized List<String> implementsKinds() {
    return implementsKinds;
  }

  private void activate(PluginLocator.Found found, String kind) {
    IOException last = null;
    // A plugin that is just starting has its socket or spec before it listens: a few quick tries.
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        HttpExchange.Answer a = HttpExchange.post(found.address().socket(), "/Plugin.Activate", new byte[0], timeoutMillis);
        JsonNode tree = readTree("/Plugin.Activate", a);
        if (a.status() != 200 || tree == null || !tree.path("Implements").isArray()) {
          String err = pluginError(tree);
          throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + " at " + found.address()
              + " did not activate: " + (err != null ? err : "HTTP " + a.status() + ", no Implements"));
        }
        List<String> kinds = new ArrayList<>();
        tree.get("Implements").forEach(k -> kinds.add(k.asText()));
        if (!kinds.contains(kind)) {
          throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + " at " + found.address() + " implements "
              + kinds + ", not " + kind);
        }
        implementsKinds = List.copyOf(kinds);
        activated = found.address();
        LOG.infof("plugin %s activated at %s (found through %s): %s", name, found.address(), found.source(), kinds);
        return;
      } catch (HttpExchange.Timeout e) {
        last = e;
        break; // it accepted and did not answer: waiting more will not help this call
      } catch (IOException e) {
        last = e;
        sleep(50L << attempt);
      }
    }
    throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + " at " + found.address() + " (found through "
        + found.source() + ") did not answer Plugin.Activate: " + describe(last), last);
  }

  private PluginException unreachable(PluginException e) {
    failures++;
    long delay = Math.min(backoffMaxMillis, 250L << Math.min(20, failures - 1));
    retryAt = clock.getAsLong() + delay;
    lastProblem = e.getMessage();
    return e;
  }

  private String describe(IOException e) {
    if (e instanceof HttpExchange.Timeout) {
      return "timed out after " + timeoutMillis + " ms";
    }
    if (e instanceof ConnectException || e.getMessage() == null) {
      return "connection refused" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
    return e.getMessage();
  }

  private JsonNode readTree(String path, HttpExchange.Answer a) {
    if (a.body().length == 0) {
      return null;
    }
    try {
      return JSON.readTree(a.body());
    } catch (IOException e) {
      if (a.status() != 200) {
        return null; // a plain-text error page: the status and body tell the user
      }
      throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": the answer to " + path + " is not JSON: "
          + e.getMessage(), e);
    }
  }

  /** The protocol's error field: Err (network drivers, plugin helpers) or Error (IPAM drivers). */
  private static String pluginError(JsonNode tree) {
    if (tree == null || !tree.isObject()) {
      return null;
    }
    for (String field : List.of("Err", "Error")) {
      JsonNode e = tree.get(field);
      if (e != null && e.isTextual() && !e.asText().isEmpty()) {
        return e.asText();
      }
    }
    return null;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
