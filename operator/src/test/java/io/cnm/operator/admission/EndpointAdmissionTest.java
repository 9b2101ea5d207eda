package io.cnm.operator.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The review's answer: always allowed, and a patch that gives a new endpoint what the reconciler would patch on. */
class EndpointAdmissionTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String F = "cnmendpoints.cnm.io/finalizer";
  final EndpointAdmission admission = new EndpointAdmission(F);

  static String review(String operation, String object) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\",\"operation\":\"" + operation
        + "\",\"object\":" + object + "}}";
  }

  static String endpoint(String metadataExtra, String sandbox) {
    return "{\"apiVersion\":\"cnm.io/v1alpha1\",\"kind\":\"CnmEndpoint\",\"metadata\":{\"name\":\"a\",\"namespace\":\"t\"" + metadataExtra
        + "},\"spec\":{\"network\":\"pets\",\"sandbox\":" + sandbox + "}}";
  }

  JsonNode answer(String review) throws Exception {
    return JSON.readTree(admission.answer(review.getBytes(StandardCharsets.UTF_8))).path("response");
  }

  /** The object as the API server would store it: the answer's patch applied to what was sent. */
  JsonNode admitted(String object) throws Exception {
    JsonNode response = answer(review("CREATE", object));
    assertEquals("u-1", response.path("uid").asText());
    assertTrue(response.path("allowed").asBoolean());
    if (!response.has("patch")) {
      return JSON.readTree(object);
    }
    assertEquals("JSONPatch", response.path("patchType").asText());
    return JsonPatch.apply(JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText())), JSON.readTree(object));
  }

  @Test
  void aNetnsEndpointGetsItsNodeAndNetworkLabelsAndTheFinalizer() throws Exception {
    JsonNode m = admitted(endpoint("", "{\"nodeName\":\"node-1\",\"netnsPath\":\"/run/netns/a\"}")).path("metadata");
    assertEquals("node-1", m.path("labels").path("cnm.io/node").asText());
    assertEquals("pets", m.path("labels").path("cnm.io/network").asText());
    assertEquals("[\"" + F + "\"]", m.path("finalizers").toString());
  }

  @Test
  void theUsersOwnLabelsAndFinalizersStay() throws Exception {
    JsonNode m = admitted(endpoint(",\"labels\":{\"app\":\"web\",\"cnm.io/node\":\"elsewhere\"},\"finalizers\":[\"example.com/keep\"]",
        "{\"nodeName\":\"node-1\",\"netnsPath\":\"/run/netns/a\"}")).path("metadata");
    assertEquals("web", m.path("labels").path("app").asText());
    assertEquals("node-1", m.path("labels").path("cnm.io/node").asText(), "the label says the node of the spec, as the reconciler's would");
    assertEquals("[\"example.com/keep\",\"" + F + "\"]", m.path("finalizers").toString());
  }

  @Test
  void aPodsEndpointGetsTheFinalizerOnlyItsNodeIsThePods() throws Exception {
    JsonNode m = admitted(endpoint("", "{\"pod\":\"web-0\"}")).path("metadata");
    assertFalse(m.has("labels"));
    assertEquals("[\"" + F + "\"]", m.path("finalizers").toString());
  }

  @Test
  void anEndpointThatLacksNothingGetsNoPatch() throws Exception {
    String complete = endpoint(",\"labels\":{\"cnm.io/node\":\"node-1\",\"cnm.io/network\":\"pets\"},\"finalizers\":[\"" + F + "\"]",
        "{\"nodeName\":\"node-1\",\"netnsPath\":\"/run/netns/a\"}");
    assertFalse(answer(review("CREATE", complete)).has("patch"));
  }

  @Test
  void onlyCreatesArePatchedAndNothingIsEverRefused() throws Exception {
    String ep = endpoint("", "{\"nodeName\":\"node-1\",\"netnsPath\":\"/run/netns/a\"}");
    JsonNode update = answer(review("UPDATE", ep));
    assertTrue(update.path("allowed").asBoolean());
    assertFalse(update.has("patch"));
    JsonNode unreadable = answer(review("CREATE", "{\"kind\":\"CnmEndpoint\",\"spec\":{\"sandbox\":7}}"));
    assertTrue(unreadable.path("allowed").asBoolean(), "the API server's validation says what is wrong, not the webhook");
    assertFalse(unreadable.has("patch"));
  }

  @Test
  void whatIsNotAReviewIsABadRequest() {
    assertThrows(IllegalArgumentException.class, () -> admission.answer("not json".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> admission.answer("{\"request\":{}}".getBytes(StandardCharsets.UTF_8)));
  }
}
