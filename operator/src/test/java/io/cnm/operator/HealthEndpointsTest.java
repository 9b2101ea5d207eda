package io.cnm.operator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** The Deployment's probes: the operator starts against an API server and reports UP. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class HealthEndpointsTest {
  @Test
  void liveness_isUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void readiness_isUp() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }
}
