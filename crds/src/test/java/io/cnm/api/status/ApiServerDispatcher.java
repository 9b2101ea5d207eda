package io.cnm.api.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The Fabric8 mock API server in CRUD mode, with one rule of the real API server it lacks: a PUT
 * to a status subresource that carries a resourceVersion other than the object's current one is
 * refused with 409 Conflict (the mock enforces it on the object itself, not on /status). The
 * status writes of the operator and the node-daemon rely on exactly this rule.
 *
 * <p>The check is made on the object the mock's own update finds, under its write lock: every
 * lookup of the mock scans its whole store, so looking the object up once more for the check
 * made each status write cost one more scan (about 3 ms with 500 endpoints stored).
 */
public final class ApiServerDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The resourceVersion the status PUT being handled on this thread carries; null outside one, or when it carries none. */
  private static final ThreadLocal<String> SENT = new ThreadLocal<>();

  /** Thrown out of the update to refuse it before anything is stored. */
  private static final class Stale extends RuntimeException {
    Stale() {
      super(null, null, false, false);
    }
  }

  /** A mock API server with this dispatcher in CRUD mode, started on loopback, its log of every request quieted. */
  public static KubernetesMockServer start() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new ApiServerDispatcher(), false);
    server.init();
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    return server;
  }

  private static final String WEBHOOK_CONFIGURATIONS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
  private final MockAdmission admission = new MockAdmission();
  /** Whether a MutatingWebhookConfiguration was written since they were last read (read on the next create). */
  private volatile boolean webhooksChanged = true;

  /** A create goes through mutating admission first, as on the API server (see {@link MockAdmission}). */
  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    String path = request.getPath();
    if (path.startsWith(WEBHOOK_CONFIGURATIONS)) {
      webhooksChanged = true;
      return super.handleCreate(request);
    }
    if (webhooksChanged) {
      webhooksChanged = false;
      try {
        admission.load(super.handleGet(WEBHOOK_CONFIGURATIONS).getBody().readUtf8());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!admission.any()) {
      return super.handleCreate(request);
    }
    String admitted;
    try {
      admitted = admission.admitCreate(path, request.getUtf8Body());
    } catch (MockAdmission.Refused r) {
      return new MockResponse().setResponseCode(r.code).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
          + "\"code\":" + r.code + ",\"message\":" + JSON.valueToTree(r.getMessage()) + "}");
    }
    return super.handleCreate(new RecordedRequest(request.getRequestLine(), request.method(), path, request.getHeaders(),
        new Buffer().write(admitted.getBytes(StandardCharsets.UTF_8))));
  }

  @Override
  public MockResponse handleDelete(String path) {
    if (path.startsWith(WEBHOOK_CONFIGURATIONS)) {
      webhooksChanged = true;
    }
    return super.handleDelete(path);
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    if (request.getPath().startsWith(WEBHOOK_CONFIGURATIONS)) {
      webhooksChanged = true;
    }
    return super.handlePatch(request);
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    String path = request.getPath();
    if (path.startsWith(WEBHOOK_CONFIGURATIONS)) {
      webhooksChanged = true;
    }
    if (!path.endsWith("/status")) {
      return super.handleUpdate(request);
    }
    String text = request.getUtf8Body(); // reading consumes it: the request is made again below
    request = new RecordedRequest(request.getRequestLine(), request.method(), path, request.getHeaders(),
        new Buffer().write(text.getBytes(StandardCharsets.UTF_8)));
    String sent;
    try {
      sent = JSON.readTree(text).at("/metadata/resourceVersion").asText("");
    } catch (IOException e) {
      return new MockResponse().setResponseCode(400).setBody(e.getMessage());
    }
    SENT.set(sent.isEmpty() ? null : sent);
    try {
      return super.handleUpdate(request);
    } catch (Stale e) {
      return new MockResponse().setResponseCode(409).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
          + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"Operation cannot be fulfilled: the object has been modified; "
          + "please apply your changes to the latest version and try again\"}");
    } finally {
      SENT.remove();
    }
  }

  /** The mock's update looks the object up here, once, under its write lock: a stale status PUT stops at it. */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet key) {
    Map.Entry<AttributeSet, String> found = super.findResource(key);
    String sent = SENT.get();
    if (sent != null && found != null) {
      SENT.remove(); // one check per request: the first lookup is the object the update replaces
      String now;
      try {
        now = JSON.readTree(found.getValue()).at("/metadata/resourceVersion").asText("");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!now.isEmpty() && !sent.equals(now)) {
        throw new Stale();
      }
    }
    return found;
  }
}
