package io.cnm.daemon;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** The DaemonSet's probes: the node-daemon starts against an API server, is live, and is not ready while it serves no node. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class HealthEndpointsTest {
  @Test
  void liveness_isUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void readiness_isDownWithoutANodeName_andSaysWhy() {
    // The test runs no agent (no NODE_NAME): a daemon that serves no node must not count as ready.
    given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
        .body("checks[0].data.state", equalTo("not running: NODE_NAME is not set"));
  }
}
