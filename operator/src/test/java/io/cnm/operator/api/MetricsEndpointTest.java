package io.cnm.operator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator as shipped (the Quarkus application) against the mock API: after real work, its
 * /q/metrics shows the reconciles, the network's addresses, and the conflict it met.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricsEndpointTest {
  @Inject
  KubernetesClient client;

  static String scrape() {
    return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /** The value of the one sample named so with these labels (in Prometheus' order), or NaN when absent. */
  static double value(String scrape, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void reconcilesAddressesAndConflicts_areScraped() {
    client.resource(Objects.network("metrics", "bridge", "10.77.0.0/29")).create();
    client.resource(Objects.netnsEndpoint("m1", "metrics", "node-a", "10.77.0.2")).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> Objects.ready(client.resources(CnmEndpoint.class).inNamespace("test").withName("m1").get()) != null
        && "True".equals(Objects.ready(client.resources(CnmEndpoint.class).inNamespace("test").withName("m1").get()).getStatus()));
    // The same address again: refused as a conflict.
    client.resource(Objects.netnsEndpoint("m2", "metrics", "node-a", "10.77.0.2")).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String s = scrape();
      assertThat(s).contains("# TYPE cnm_operator_reconcile_seconds histogram");
      assertThat(value(s, "cnm_operator_reconcile_seconds_count", "kind=\"CnmNetwork\",outcome=\"ok\",phase=\"reconcile\"")).isGreaterThanOrEqualTo(1);
      assertThat(value(s, "cnm_operator_reconcile_seconds_count", "kind=\"CnmEndpoint\",outcome=\"ok\",phase=\"reconcile\"")).isGreaterThanOrEqualTo(1);
      assertThat(value(s, "cnm_operator_reconcile_seconds_count", "kind=\"CnmEndpoint\",outcome=\"conflict\",phase=\"reconcile\"")).isGreaterThanOrEqualTo(1);
      assertThat(s).containsPattern("cnm_operator_conflicts_total\\{kind=\"CnmEndpoint\",reason=\"[A-Za-z]+\"} [1-9]");
      // A /29 with a gateway: 5 dynamic addresses, one of them held by m1.
      assertThat(value(s, "cnm_ipam_addresses", "network=\"test/metrics\",state=\"allocated\"")).isEqualTo(1);
      assertThat(value(s, "cnm_ipam_addresses", "network=\"test/metrics\",state=\"free\"")).isEqualTo(4);
      assertThat(value(s, "cnm_vnis_in_use", "")).isNaN(); // no labels: written without braces
      assertThat(s).containsPattern("(?m)^cnm_vnis_in_use 0\\.0$");
    });
    client.resources(CnmEndpoint.class).inNamespace("test").withName("m2").delete();
    client.resources(CnmEndpoint.class).inNamespace("test").withName("m1").delete();
    client.resources(CnmNetwork.class).inNamespace("test").withName("metrics").delete();
    // Released: the network's gauges go.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(scrape()).doesNotContain("network=\"test/metrics\""));
  }
}
