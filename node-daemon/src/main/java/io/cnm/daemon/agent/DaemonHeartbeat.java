package io.cnm.daemon.agent;

import io.cnm.api.status.NodeDaemonLease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Renews this node's {@link NodeDaemonLease} on a thread of its own, so a long pass does not let it
 * lapse (the operator would then give back addresses without waiting for this node). A failing
 * renewal is logged once at WARN (an RBAC mistake must be visible) and once more when it recovers.
 */
public final class DaemonHeartbeat implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DaemonHeartbeat.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cnm-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private boolean failing;

  public DaemonHeartbeat(KubernetesClient client, String namespace, String node) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
  }

  public DaemonHeartbeat start() {
    timer.scheduleWithFixedDelay(this::beat, 0, NodeDaemonLease.RENEW_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  private void beat() {
    try {
      NodeDaemonLease.renew(client, namespace, node, Instant.now());
      if (failing) {
        LOG.infof("lease %s/%s renewed again", namespace, NodeDaemonLease.name(node));
      }
      failing = false;
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warnf("lease %s/%s not renewed (%s): the operator gives back this node's addresses without waiting for it",
            namespace, NodeDaemonLease.name(node), e.getMessage());
      }
      failing = true;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
