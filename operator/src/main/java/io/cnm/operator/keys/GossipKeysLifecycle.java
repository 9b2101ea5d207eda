package io.cnm.operator.keys;

import io.cnm.operator.config.CnmConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Runs the {@link GossipKeyRotator} in the operator process, in the operator's namespace. */
@Singleton
public class GossipKeysLifecycle {
  private final KubernetesClient client;
  private final CnmConfig config;
  private GossipKeyRotator rotator;

  public GossipKeysLifecycle(KubernetesClient client, CnmConfig config) {
    this.client = client;
    this.config = config;
  }

  void onStart(@Observes StartupEvent ev) {
    if (!config.gossip().manageKeys()) {
      return;
    }
    String ns = io.cnm.operator.config.ReleaseNamespace.of(config, client);
    rotator = new GossipKeyRotator(client, ns, config.gossip().keyRotation(), Clock.systemUTC());
    rotator.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (rotator != null) {
      rotator.close();
    }
  }
}
