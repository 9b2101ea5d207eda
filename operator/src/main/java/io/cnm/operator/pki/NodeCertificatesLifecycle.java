package io.cnm.operator.pki;

import io.cnm.operator.config.CnmConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Runs the {@link NodeCertificateIssuer} in the operator process, in the release namespace. */
@Singleton
public class NodeCertificatesLifecycle {
  private final KubernetesClient client;
  private final CnmConfig config;
  private NodeCertificateIssuer issuer;

  public NodeCertificatesLifecycle(KubernetesClient client, CnmConfig config) {
    this.client = client;
    this.config = config;
  }

  void onStart(@Observes StartupEvent ev) {
    if (!config.pki().enabled()) {
      return;
    }
    String ns = io.cnm.operator.config.ReleaseNamespace.of(config, client);
    issuer = new NodeCertificateIssuer(client, ns, config.pki().certificateValidity(), config.pki().caValidity(), Clock.systemUTC());
    issuer.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (issuer != null) {
      issuer.close();
    }
  }
}
