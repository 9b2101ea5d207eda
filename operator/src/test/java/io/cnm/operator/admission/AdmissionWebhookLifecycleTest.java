package io.cnm.operator.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnm.api.pki.TrustingTls;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus operator with the webhook on, as the chart runs it: its registration names the
 * Service, its caBundle is the CA of the Secret, and the server answers a review over TLS with a
 * certificate for the Service's name that the caBundle verifies.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(AdmissionWebhookLifecycleTest.WebhookOn.class)
class AdmissionWebhookLifecycleTest {
  public static class WebhookOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cnm.admission-webhook.enabled", "true", "cnm.admission-webhook.port", "0",
          "cnm.admission-webhook.service", "cnm-operator-webhook", "cnm.admission-webhook.configuration", "cnm-operator");
    }
  }

  @Inject
  KubernetesClient client;
  @Inject
  AdmissionWebhookLifecycle lifecycle;

  @Test
  void registersTheServiceWithItsCaAndAnswersOverTls() throws Exception {
    var cfg = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("cnm-operator").get();
    var w = cfg.getWebhooks().get(0);
    ServiceReference svc = w.getClientConfig().getService();
    assertEquals("cnm-operator-webhook", svc.getName());
    assertEquals(443, svc.getPort());
    assertEquals(AdmissionWebhook.PATH, svc.getPath());
    String ca = new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()), StandardCharsets.UTF_8);
    var secret = client.secrets().inNamespace(svc.getNamespace()).withName("cnm-operator-webhook-tls").get();
    assertEquals(ca, new String(Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.UTF_8));

    SSLContext tls = TrustingTls.of(ca);
    HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + lifecycle.port().orElseThrow() + AdmissionWebhook.PATH).openConnection();
    c.setSSLSocketFactory(tls.getSocketFactory());
    String dnsName = "cnm-operator-webhook." + svc.getNamespace() + ".svc";
    // Dialled on loopback: the name checked is the one the API server dials, the Service's.
    c.setHostnameVerifier((host, session) -> {
      try {
        return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectAlternativeNames().stream()
            .anyMatch(n -> dnsName.equals(n.get(1)));
      } catch (Exception e) {
        return false;
      }
    });
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.getOutputStream().write(("{\"request\":{\"uid\":\"u-7\",\"operation\":\"CREATE\",\"object\":{\"apiVersion\":\"cnm.io/v1alpha1\","
        + "\"kind\":\"CnmEndpoint\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"network\":\"n\",\"sandbox\":{\"nodeName\":\"node-1\","
        + "\"netnsPath\":\"/run/netns/a\"}}}}}").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, c.getResponseCode());
    String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(answer.contains("\"uid\":\"u-7\"") && answer.contains("\"allowed\":true") && answer.contains("\"patchType\":\"JSONPatch\""), answer);
  }
}
