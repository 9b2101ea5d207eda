package io.cnm.operator.keys;

import io.cnm.api.gossip.GossipKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Creates the gossip keyring Secret and rotates its primary key every {@code period} (Docker's
 * swarm rotates its gossip key every 12 hours): the new key goes first, the two before it stay,
 * so node-daemons that have not yet read the new Secret are still understood. A conflict with
 * another writer (a second replica before leader election settles) is retried on the next tick.
 */
public final class GossipKeyRotator implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GossipKeyRotator.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Duration period;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private ScheduledExecutorService timer;

  public GossipKeyRotator(KubernetesClient client, String namespace, Duration period, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.period = period;
    this.clock = clock;
  }

  /** One check: create the Secret when missing, rotate when due. Returns the Secret as it now is. */
  public Secret reconcile() {
    var res = client.secrets().inNamespace(namespace).withName(GossipKeys.SECRET);
    Secret s = res.get();
    if (s == null) {
      s = client.secrets().inNamespace(namespace).resource(GossipKeys.create(namespace, clock.instant(), random)).create();
      LOG.infof("gossip keyring created: Secret %s/%s", namespace, GossipKeys.SECRET);
    } else if (GossipKeys.due(s, clock.instant(), period)) {
      s = client.secrets().inNamespace(namespace).resource(GossipKeys.rotate(s, clock.instant(), random)).update();
      LOG.infof("gossip key rotated (%d keys in the ring)", GossipKeys.parse(s).size());
    }
    return s;
  }

  /** Checks now and then every tenth of the period (at most hourly). */
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cnm-gossip-keys");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1, Math.min(period.toSeconds() / 10, 3600));
    timer.scheduleWithFixedDelay(() -> {
      try {
        reconcile();
      } catch (KubernetesClientException e) {
        LOG.warnf("gossip keyring not reconciled (retrying in %d s): %s", every, e.getMessage());
      }
    }, 0, every, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
