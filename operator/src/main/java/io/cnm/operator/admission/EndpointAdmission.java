package io.cnm.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.operator.endpoint.EndpointMetadata;
import java.io.IOException;
import java.util.Base64;

/**
 * Answers an {@code admission.k8s.io/v1} AdmissionReview for a CnmEndpoint being created: always
 * allowed, with a JSON patch that adds what {@link EndpointMetadata#missing} says lacks, the node
 * taken from the spec (a netns sandbox's {@code nodeName}; a pod's endpoint gets the finalizer
 * only, its node is the pod's). Never refuses: the reconciler still patches whatever this did not
 * add, so a webhook that is down or answers nothing costs one write, never an endpoint.
 */
public final class EndpointAdmission {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final String finalizer;

  public EndpointAdmission(String finalizer) {
    this.finalizer = finalizer;
  }

  /** The AdmissionReview answering {@code review}; a request that is not a review is a 400 (IllegalArgumentException). */
  public byte[] answer(byte[] review) {
    JsonNode request;
    try {
      request = JSON.readTree(review).path("request");
    } catch (IOException e) {
      throw new IllegalArgumentException("not an AdmissionReview: " + e.getMessage(), e);
    }
    if (!request.hasNonNull("uid")) {
      throw new IllegalArgumentException("not an AdmissionReview: no request.uid");
    }
    ObjectNode response = JSON.createObjectNode().put("uid", request.get("uid").asText()).put("allowed", true);
    ArrayNode patch = patch(request);
    if (!patch.isEmpty()) {
      response.put("patchType", "JSONPatch").put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    ObjectNode out = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    out.set("response", response);
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The JSON patch for the request's object; empty for anything but a CnmEndpoint's CREATE, or one it cannot read. */
  ArrayNode patch(JsonNode request) {
    ArrayNode ops = JSON.createArrayNode();
    if (!"CREATE".equals(request.path("operation").asText()) || !request.path("object").isObject()) {
      return ops;
    }
    CnmEndpoint ep;
    try {
      ep = JSON.treeToValue(request.get("object"), CnmEndpoint.class);
    } catch (IOException | IllegalArgumentException e) {
      return ops; // the API server's validation and the reconciler say what is wrong with it
    }
    if (ep.getMetadata() == null || ep.getSpec() == null || ep.getSpec().getNetwork() == null) {
      return ops;
    }
    EndpointMetadata missing = EndpointMetadata.missing(ep, EndpointMetadata.nodeOfSpec(ep), finalizer);
    // "add" on a member that exists replaces it: each is the whole new map or list.
    if (missing.labels() != null) {
      ops.addObject().put("op", "add").put("path", "/metadata/labels").set("value", JSON.valueToTree(missing.labels()));
    }
    if (missing.finalizers() != null) {
      ops.addObject().put("op", "add").put("path", "/metadata/finalizers").set("value", JSON.valueToTree(missing.finalizers()));
    }
    return ops;
  }
}
