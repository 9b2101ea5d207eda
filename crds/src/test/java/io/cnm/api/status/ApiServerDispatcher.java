package io.cnm.api.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The Fabric8 mock API server in CRUD mode, with one rule of the real API server it lacks: a PUT
 * to a status subresource that carries a resourceVersion other than the object's current one is
 * refused with 409 Conflict (the mock enforces it on the object itself, not on /status). The
 * status writes of the operator and the node-daemon rely on exactly this rule.
 */
public final class ApiServerDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public synchronized MockResponse handleUpdate(RecordedRequest request) {
    String path = request.getPath();
    if (path.endsWith("/status")) {
      String text = request.getUtf8Body(); // reading consumes it: the request is made again below
      request = new RecordedRequest(request.getRequestLine(), request.method(), path, request.getHeaders(),
          new Buffer().write(text.getBytes(StandardCharsets.UTF_8)));
      try {
        JsonNode body = JSON.readTree(text);
        String sent = body.at("/metadata/resourceVersion").asText("");
        MockResponse current = handleGet(path.substring(0, path.length() - "/status".length()));
        String now = current.code() == 200 ? JSON.readTree(bodyOf(current)).at("/metadata/resourceVersion").asText("") : "";
        if (!sent.isEmpty() && !now.isEmpty() && !sent.equals(now)) {
          return new MockResponse().setResponseCode(409).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
              + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"Operation cannot be fulfilled: the object has been modified; "
              + "please apply your changes to the latest version and try again\"}");
        }
      } catch (IOException e) {
        return new MockResponse().setResponseCode(400).setBody(e.getMessage());
      }
    }
    return super.handleUpdate(request);
  }

  private static String bodyOf(MockResponse r) {
    return r.getBody().readUtf8();
  }
}
