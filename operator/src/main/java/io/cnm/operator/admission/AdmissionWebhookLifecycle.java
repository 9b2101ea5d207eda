package io.cnm.operator.admission;

import io.cnm.operator.config.CnmConfig;
import io.cnm.operator.config.ReleaseNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs the {@link AdmissionWebhook} in every operator replica (not only the leader: the
 * webhook's Service sends to any ready one, and a review needs nothing but the object), reached
 * through the chart's Service in the release namespace.
 */
@Singleton
public class AdmissionWebhookLifecycle {
  private static final Logger LOG = Logger.getLogger(AdmissionWebhookLifecycle.class);
  private final KubernetesClient client;
  private final CnmConfig config;
  private AdmissionWebhook webhook;

  public AdmissionWebhookLifecycle(KubernetesClient client, CnmConfig config) {
    this.client = client;
    this.config = config;
  }

  void onStart(@Observes StartupEvent ev) {
    CnmConfig.AdmissionWebhookSettings s = config.admissionWebhook();
    if (!s.enabled()) {
      return;
    }
    String ns = ReleaseNamespace.of(config, client);
    String svc = s.service();
    WebhookTls tls = new WebhookTls(client, ns, s.secret(), List.of(svc + "." + ns + ".svc", svc + "." + ns + ".svc.cluster.local"),
        s.certificateValidity(), Clock.systemUTC());
    try {
      webhook = AdmissionWebhook.start(client, s.configuration(), port -> AdmissionWebhook.service(ns, svc), tls, new InetSocketAddress(s.port()));
      LOG.infof("admission webhook serving on :%d for Service %s/%s", webhook.port(), ns, svc);
    } catch (java.io.IOException | RuntimeException e) {
      // The operator works without it (each new endpoint costs one write more): it does not stop for it.
      LOG.errorf("admission webhook not started, endpoints get their labels and finalizer by a patch instead: %s", e.getMessage());
    }
  }

  /** The port the webhook serves on; empty when it does not run. */
  public java.util.OptionalInt port() {
    return webhook == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(webhook.port());
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (webhook != null) {
      webhook.close();
    }
  }
}
