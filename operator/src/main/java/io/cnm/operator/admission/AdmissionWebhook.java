package io.cnm.operator.admission;

import io.cnm.operator.endpoint.EndpointReconciler;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The CnmEndpoint admission webhook, run: its certificate ({@link WebhookTls}), its HTTPS server
 * ({@link WebhookServer}) answering with {@link EndpointAdmission}, and its registration, a
 * MutatingWebhookConfiguration the operator owns (not the chart: its {@code caBundle} is the
 * operator's, so a GitOps tool never sees it drift). The registration fails open
 * ({@code failurePolicy: Ignore}, 2 s): with the webhook down, endpoints are still created and
 * the reconciler patches their metadata as it did before. Checked again twice a day: a renewed
 * certificate is served from the next connection on, a changed registration is put back.
 */
public final class AdmissionWebhook implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AdmissionWebhook.class);
  /** Where the server answers CnmEndpoint reviews. */
  public static final String PATH = "/mutate/cnmendpoints";
  /** The webhook's name in its configuration (fully qualified, as the API server requires). */
  public static final String WEBHOOK_NAME = "cnmendpoints.admission.cnm.io";

  private final KubernetesClient client;
  private final String configuration;
  private final WebhookClientConfig target;
  private final WebhookTls tls;
  private final WebhookServer server;
  private final ScheduledExecutorService checks;
  private volatile WebhookTls.Material material;

  private AdmissionWebhook(KubernetesClient client, String configuration, WebhookClientConfig target, WebhookTls tls,
      WebhookTls.Material material, WebhookServer server) {
    this.client = client;
    this.configuration = configuration;
    this.target = target;
    this.tls = tls;
    this.material = material;
    this.server = server;
    this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "admission-webhook-check");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts the server on {@code address} with the Secret's certificate and registers it as
   * {@code configuration}; {@code target} says, from the port the server listens on, how the API
   * server reaches it (the chart's Service, or a URL), its {@code caBundle} filled in here.
   */
  public static AdmissionWebhook start(KubernetesClient client, String configuration,
      java.util.function.IntFunction<WebhookClientConfig> target, WebhookTls tls, InetSocketAddress address) throws IOException {
    WebhookTls.Material m = tls.ensure();
    WebhookServer server = WebhookServer.start(address, WebhookTls.serverContext(m), PATH,
        new EndpointAdmission(EndpointReconciler.FINALIZER)::answer);
    AdmissionWebhook webhook;
    try {
      webhook = new AdmissionWebhook(client, configuration, target.apply(server.port()), tls, m, server);
      webhook.register();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    webhook.checks.scheduleWithFixedDelay(webhook::check, 12, 12, TimeUnit.HOURS);
    return webhook;
  }

  /** The server's port (a free one when started on port 0). */
  public int port() {
    return server.port();
  }

  /** How an API server on this machine reaches the webhook on {@code port} (outside a cluster: the lab). */
  public static WebhookClientConfig local(int port) {
    return new WebhookClientConfigBuilder().withUrl("https://localhost:" + port + PATH).build();
  }

  /** How the API server reaches the webhook through the Service {@code namespace/name} on port 443. */
  public static WebhookClientConfig service(String namespace, String name) {
    return new WebhookClientConfigBuilder().withNewService().withNamespace(namespace).withName(name).withPort(443).withPath(PATH)
        .endService().build();
  }

  void check() {
    try {
      WebhookTls.Material now = tls.ensure();
      if (!now.equals(material)) {
        server.useTls(WebhookTls.serverContext(now));
        material = now;
        LOG.infof("admission webhook: serving a renewed certificate");
      }
      register();
    } catch (RuntimeException e) {
      LOG.warnf("admission webhook: check failed, next in 12 h (%s)", e.getMessage());
    }
  }

  /** The configuration as it should be, written when it is not (missing, or changed by someone). */
  void register() {
    MutatingWebhookConfiguration want = desired(configuration, target, material.caPem());
    var op = client.admissionRegistration().v1().mutatingWebhookConfigurations();
    MutatingWebhookConfiguration have = op.withName(configuration).get();
    if (have == null) {
      op.resource(want).create();
      LOG.infof("admission webhook registered: MutatingWebhookConfiguration %s", configuration);
    } else if (!have.getWebhooks().equals(want.getWebhooks())) {
      want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
      op.resource(want).update();
      LOG.infof("admission webhook registration updated: MutatingWebhookConfiguration %s", configuration);
    }
  }

  /** The registration: CREATE of CnmEndpoints, any version, failing open in 2 s, no side effects. */
  static MutatingWebhookConfiguration desired(String name, WebhookClientConfig target, String caPem) {
    WebhookClientConfig to = new WebhookClientConfigBuilder(target)
        .withCaBundle(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8))).build();
    return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(name)
        .addToLabels("app.kubernetes.io/managed-by", "cnm-operator").endMetadata()
        .addNewWebhook().withName(WEBHOOK_NAME).withClientConfig(to).withAdmissionReviewVersions("v1").withSideEffects("None")
        .withFailurePolicy("Ignore").withTimeoutSeconds(2).withMatchPolicy("Equivalent").withReinvocationPolicy("Never")
        .addNewRule().withApiGroups("cnm.io").withApiVersions("*").withOperations("CREATE").withResources("cnmendpoints")
        .withScope("Namespaced").endRule()
        .withNewNamespaceSelector().endNamespaceSelector().withNewObjectSelector().endObjectSelector()
        .endWebhook().build();
  }

  @Override
  public void close() {
    checks.shutdownNow();
    server.close();
  }
}
