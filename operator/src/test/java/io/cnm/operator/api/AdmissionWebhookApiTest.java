package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static io.cnm.operator.api.Objects.ready;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.operator.admission.AdmissionWebhook;
import io.cnm.operator.admission.WebhookTls;
import io.cnm.operator.endpoint.EndpointReconciler;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admission webhook against the mock API server, which calls it over HTTPS on each create as
 * the API server does (ApiServerDispatcher): an endpoint is stored with its labels and finalizer,
 * and the operator then makes one write on it, its status, where without the webhook it patches
 * the metadata first. Down, the webhook costs nothing but that patch.
 */
class AdmissionWebhookApiTest {
  static final String CONFIGURATION = "cnm-operator";
  OperatorHarness h = new OperatorHarness();
  AdmissionWebhook webhook;

  @AfterEach
  void stop() {
    if (webhook != null) {
      webhook.close();
    }
    h.close();
  }

  WebhookTls tls(Clock clock) {
    return new WebhookTls(h.client, "test", "cnm-operator-webhook-tls", List.of("localhost"), Duration.ofDays(365), clock);
  }

  AdmissionWebhook startWebhook(Clock clock) throws Exception {
    return AdmissionWebhook.start(h.client, CONFIGURATION, AdmissionWebhook::local, tls(clock),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** The writes other than to status the API server took on endpoint {@code name} (drains the mock's request log). */
  long metadataWrites(String name) throws InterruptedException {
    long n = 0;
    for (RecordedRequest r; (r = h.server.takeRequest(0, TimeUnit.MILLISECONDS)) != null;) {
      String path = r.getPath().split("\\?")[0];
      if (path.endsWith("/cnmendpoints/" + name) && List.of("PATCH", "PUT").contains(r.getMethod())) {
        n++;
      }
    }
    return n;
  }

  CnmEndpoint createAndAwaitReady(String name, String ip) {
    h.client.resource(network("pets", "bridge", "10.1.0.0/24")).create();
    h.client.resource(netnsEndpoint(name, "pets", "node-1", ip)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint(name)) != null && "True".equals(ready(h.endpoint(name)).getStatus()));
    return h.endpoint(name);
  }

  @Test
  void anEndpointIsStoredWithItsLabelsAndFinalizerAndTheOperatorOnlyWritesItsStatus() throws Exception {
    webhook = startWebhook(Clock.systemUTC());
    h.start();
    CnmEndpoint ep = createAndAwaitReady("a", "10.1.0.5");
    assertEquals("node-1", ep.getMetadata().getLabels().get(CnmEndpoint.NODE_LABEL));
    assertEquals("pets", ep.getMetadata().getLabels().get(CnmEndpoint.NETWORK_LABEL));
    assertTrue(ep.hasFinalizer(EndpointReconciler.FINALIZER));
    assertEquals("10.1.0.5/24", ep.getStatus().getIpv4Address());
    assertEquals(0, metadataWrites("a"), "the labels and the finalizer came with the create: no patch");
  }

  @Test
  void withoutTheWebhookTheOperatorPatchesTheMetadataFirst() throws Exception {
    h.start();
    CnmEndpoint ep = createAndAwaitReady("a", "10.1.0.5");
    assertTrue(ep.hasFinalizer(EndpointReconciler.FINALIZER));
    assertEquals(1, metadataWrites("a"));
  }

  @Test
  void aWebhookThatIsDownCostsThePatchNeverTheEndpoint() throws Exception {
    webhook = startWebhook(Clock.systemUTC());
    webhook.close(); // registered, not answering: the registration fails open
    webhook = null;
    h.start();
    CnmEndpoint ep = createAndAwaitReady("a", "10.1.0.5");
    assertTrue(ep.hasFinalizer(EndpointReconciler.FINALIZER));
    assertEquals(1, metadataWrites("a"));
  }

  @Test
  void theRegistrationFailsOpenForCreatesOfEndpointsAndIsPutBackWhenChanged() throws Exception {
    webhook = startWebhook(Clock.systemUTC());
    var configs = h.client.admissionRegistration().v1().mutatingWebhookConfigurations();
    MutatingWebhookConfiguration cfg = configs.withName(CONFIGURATION).get();
    var w = cfg.getWebhooks().get(0);
    assertEquals("Ignore", w.getFailurePolicy());
    assertEquals(2, w.getTimeoutSeconds());
    assertEquals("None", w.getSideEffects());
    assertEquals(List.of("CREATE"), w.getRules().get(0).getOperations());
    assertEquals(List.of("cnmendpoints"), w.getRules().get(0).getResources());
    assertEquals("https://localhost:" + webhook.port() + AdmissionWebhook.PATH, w.getClientConfig().getUrl());

    cfg.getWebhooks().get(0).setFailurePolicy("Fail");
    configs.resource(cfg).update();
    webhook.close();
    // Failing closed, a webhook that is down refuses the create: the mock calls it as the API server would.
    // (A client that does not retry: Fabric8's would send the create again for 20 s on a 500.)
    try (var once = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        new io.fabric8.kubernetes.client.ConfigBuilder(h.client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
      KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
          () -> once.resource(netnsEndpoint("b", "pets", "node-1", null)).create());
      assertEquals(500, refused.getCode());
      assertTrue(refused.getMessage().contains("failed calling webhook"), refused.getMessage());
    }
    webhook = startWebhook(Clock.systemUTC()); // a restart puts the registration back as it should be
    assertEquals("Ignore", configs.withName(CONFIGURATION).get().getWebhooks().get(0).getFailurePolicy());
    assertTrue(h.client.resource(netnsEndpoint("b", "pets", "node-1", null)).create().hasFinalizer(EndpointReconciler.FINALIZER));
  }

  @Test
  void theCertificateIsRenewedFromTheSameCaWithAThirdLeftAndServedWithoutARestart() throws Exception {
    // Started 250 days ago (simulated): the renewal falls on today, so the API's client, on the real clock, accepts it.
    Instant t0 = Instant.now().minus(Duration.ofDays(250));
    MutableClock clock = new MutableClock(t0);
    webhook = startWebhook(clock);
    String caBundle = h.client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIGURATION).get()
        .getWebhooks().get(0).getClientConfig().getCaBundle();
    WebhookTls.Material first = tls(clock).ensure();
    clock.now = t0.plus(Duration.ofDays(200));
    assertEquals(first, tls(clock).ensure(), "two thirds of a year left: kept");
    clock.now = Instant.now();
    WebhookTls.Material renewed = tls(clock).ensure();
    assertNotEquals(first.certPem(), renewed.certPem());
    assertEquals(first.caPem(), renewed.caPem(), "same CA: the registration's caBundle stays valid");
    assertEquals(caBundle, h.client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIGURATION).get()
        .getWebhooks().get(0).getClientConfig().getCaBundle());
    // A second replica started now serves the renewed certificate; the API server, trusting the CA, admits through it.
    try (AdmissionWebhook second = startWebhook(clock)) {
      assertFalse(h.client.resource(netnsEndpoint("c", "pets", "node-1", null)).create().getMetadata().getFinalizers().isEmpty());
    }
  }

  @Test
  void uninstallDeletesTheRegistrationFirst() throws Exception {
    webhook = startWebhook(Clock.systemUTC());
    var out = new java.io.ByteArrayOutputStream();
    io.cnm.operator.uninstall.Uninstall.deleteWebhookRegistration(h.client, CONFIGURATION, new java.io.PrintStream(out, true));
    assertTrue(out.toString().contains("deleted MutatingWebhookConfiguration " + CONFIGURATION), out.toString());
    assertEquals(null, h.client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIGURATION).get());
    assertTrue(h.client.resource(netnsEndpoint("d", "pets", "node-1", null)).create().getMetadata().getFinalizers().isEmpty(),
        "created after the registration went: the webhook is not called");
  }

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
