package io.cnm.daemon.agent;

import io.cnm.api.pki.NodeCertificates;
import io.cnm.api.status.NodeDaemonLease;
import io.cnm.daemon.gossip.GossipTls;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Renews this node's {@link NodeDaemonLease} on a thread of its own, so a long pass does not let it
 * lapse (the operator would then give back addresses without waiting for this node). The Lease
 * also carries this daemon's public key for the cluster CA, and the certificate it answers. A failing
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
  private final GossipTls tls;

  public DaemonHeartbeat(KubernetesClient client, String namespace, String node) {
    this(client, namespace, node, null);
  }

  /**
   * @param tls where the gossip's certificate goes: the Lease carries this daemon's public key, and
   *     the operator's answer (the certificate) comes back on it; null without the gossip's TLS
   */
  public DaemonHeartbeat(KubernetesClient client, String namespace, String node, GossipTls tls) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
    this.tls = tls;
  }

  public DaemonHeartbeat start() {
    timer.execute(this::beat);
    return this;
  }

  private void beat() {
    try {
      renew();
    } finally {
      // Every second while the certificate is awaited, so the gossip starts soon after the operator answers.
      timer.schedule(this::beat, tls != null && !tls.ready() ? 1 : NodeDaemonLease.RENEW_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void renew() {
    try {
      Lease l = NodeDaemonLease.renew(client, namespace, node, Instant.now(),
          tls == null ? Map.of() : Map.of(NodeCertificates.PUBLIC_KEY, tls.publicKey()));
      if (tls != null) {
        ConfigMap ca = client.configMaps().inNamespace(namespace).withName(NodeCertificates.CA_CONFIGMAP).get();
        if (tls.update(NodeCertificates.annotation(l, NodeCertificates.CERTIFICATE),
            ca == null || ca.getData() == null ? null : ca.getData().get(NodeCertificates.CA))) {
          LOG.infof("gossip TLS certificate from the cluster CA, valid until %s", tls.notAfter());
        }
        if (ca != null && tls.revoked(NodeCertificates.revoked(ca))) {
          LOG.infof("nodes removed from the cluster (their certificates refused, out of the gossip): %s", tls.revoked());
        }
      }
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
