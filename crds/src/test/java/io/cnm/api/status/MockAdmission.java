package io.cnm.api.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnm.api.pki.TrustingTls;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * Mutating admission as the API server does it, for the mock: on a CREATE, each webhook of the
 * MutatingWebhookConfigurations stored whose rules match is sent an AdmissionReview over HTTPS
 * (a {@code clientConfig.url}, trusted through its {@code caBundle}, within its
 * {@code timeoutSeconds}), and its JSON patch applied to the object before it is stored. A
 * webhook that cannot be reached or answers wrongly fails the create, unless its
 * {@code failurePolicy} is Ignore; one that does not allow it refuses it with 403. A
 * {@code clientConfig.service} cannot be dialled here (no cluster network): that is a failed call.
 */
final class MockAdmission {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request refused by admission: the status code and message the API server would answer with. */
  static final class Refused extends Exception {
    final int code;

    Refused(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** One webhook; its client is kept across calls so connections are reused, as the API server's are. */
  private record Webhook(String name, JsonNode rules, String url, HttpClient http, Duration timeout, boolean failOpen) {}

  private volatile List<Webhook> webhooks = List.of();

  /** The configurations as stored now (the mock's list of them, as JSON). */
  void load(String list) throws IOException {
    List<Webhook> out = new ArrayList<>();
    for (JsonNode cfg : JSON.readTree(list).path("items")) {
      for (JsonNode w : cfg.path("webhooks")) {
        JsonNode client = w.path("clientConfig");
        Duration timeout = Duration.ofSeconds(w.path("timeoutSeconds").asInt(10));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls(client.path("caBundle").asText("")))
            .connectTimeout(timeout).build();
        out.add(new Webhook(w.path("name").asText(), w.path("rules"), client.path("url").asText(null), http, timeout,
            "Ignore".equals(w.path("failurePolicy").asText("Fail"))));
      }
    }
    webhooks = List.copyOf(out);
  }

  boolean any() {
    return !webhooks.isEmpty();
  }

  /**
   * The object to store for a CREATE at {@code path} (an API path: /api/v1/namespaces/NS/pods,
   * /apis/GROUP/VERSION/namespaces/NS/RESOURCE), after every matching webhook's patch.
   */
  String admitCreate(String path, String body) throws Refused {
    String[] p = path.split("\\?")[0].split("/");
    boolean core = p.length > 1 && p[1].equals("api");
    String group = core ? "" : p.length > 2 ? p[2] : "";
    String version = core ? p[2] : p.length > 3 ? p[3] : "";
    String resource = p[p.length - 1];
    String namespace = path.contains("/namespaces/") && p.length > 2 ? p[p.length - 2] : "";
    JsonNode object;
    try {
      object = JSON.readTree(body);
    } catch (IOException e) {
      return body; // the mock's own create says what is wrong with it
    }
    for (Webhook w : webhooks) {
      if (!matches(w.rules(), group, version, resource)) {
        continue;
      }
      try {
        object = call(w, group, version, resource, namespace, object);
      } catch (Refused r) {
        throw r;
      } catch (IOException | RuntimeException e) {
        if (!w.failOpen()) {
          throw new Refused(500, "Internal error occurred: failed calling webhook \"" + w.name() + "\": " + e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Refused(500, "interrupted calling webhook " + w.name());
      }
    }
    return object.toString();
  }

  private static boolean matches(JsonNode rules, String group, String version, String resource) {
    for (JsonNode r : rules) {
      if (has(r.path("operations"), "CREATE") && has(r.path("apiGroups"), group) && has(r.path("apiVersions"), version)
          && has(r.path("resources"), resource)) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(JsonNode list, String value) {
    for (JsonNode v : list) {
      if (v.asText().equals("*") || v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode call(Webhook w, String group, String version, String resource, String namespace, JsonNode object)
      throws IOException, InterruptedException, Refused {
    if (w.url() == null) {
      throw new IOException("the lab's API can only dial a clientConfig.url");
    }
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode req = review.putObject("request").put("uid", UUID.randomUUID().toString()).put("operation", "CREATE")
        .put("namespace", namespace).put("dryRun", false);
    req.putObject("kind").put("group", group).put("version", version).put("kind", object.path("kind").asText());
    req.putObject("resource").put("group", group).put("version", version).put("resource", resource);
    req.putObject("userInfo").put("username", "cnm-lab");
    req.set("object", object);
    HttpResponse<byte[]> res = w.http().send(HttpRequest.newBuilder(URI.create(w.url())).timeout(w.timeout())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(review.toString())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (res.statusCode() != 200) {
      throw new IOException("webhook answered " + res.statusCode());
    }
    JsonNode response = JSON.readTree(res.body()).path("response");
    if (!response.path("uid").asText().equals(req.get("uid").asText())) {
      throw new IOException("webhook answered another review's uid");
    }
    if (!response.path("allowed").asBoolean(false)) {
      throw new Refused(403, "admission webhook \"" + w.name() + "\" denied the request: " + response.path("status").path("message").asText(""));
    }
    if (!response.hasNonNull("patch")) {
      return object;
    }
    if (!"JSONPatch".equals(response.path("patchType").asText())) {
      throw new IOException("webhook answered a patch of type " + response.path("patchType").asText());
    }
    return JsonPatch.apply(JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText())), object);
  }

  private static SSLContext tls(String caBundle) {
    try {
      if (caBundle.isEmpty()) {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        return ctx;
      }
      return TrustingTls.of(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("caBundle is not a PEM certificate: " + e.getMessage(), e);
    }
  }
}
