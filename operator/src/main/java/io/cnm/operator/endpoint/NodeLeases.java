package io.cnm.operator.endpoint;

import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.status.NodeDaemonLease;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.operator.config.CnmConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Whether the address of a deleted endpoint may be given back yet. Not while the endpoint's node
 * says its interface is there and that node's daemon is alive (its {@link NodeDaemonLease} runs):
 * another endpoint on the same bridge would get an address an interface still answers for. The
 * daemon says Released once the interface is gone; a node whose lease ran out (lost, or its daemon
 * uninstalled) cannot say so, and its addresses are given back without waiting.
 */
@Singleton
public class NodeLeases {
  private static final Logger LOG = Logger.getLogger(NodeLeases.class);
  /**
   * How often a waiting deletion looks again. A status write on an object already being deleted
   * brings no event (JOSDK filters updates that change no generation), so the daemon's Released is
   * found by looking: in the cache, cheap; the lease is read at most once a second per node.
   */
  static final Duration RECHECK = Duration.ofMillis(500);
  private static final long LEASE_TTL_NANOS = 1_000_000_000L;

  private record Read(Optional<Instant> expiry, long at) {}

  private final java.util.concurrent.ConcurrentHashMap<String, Read> read = new java.util.concurrent.ConcurrentHashMap<>();

  private final KubernetesClient client;
  private final String namespace;

  @Inject
  public NodeLeases(KubernetesClient client, CnmConfig config) {
    this(client, io.cnm.operator.config.ReleaseNamespace.of(config, client));
  }

  /** @param namespace the release namespace, where the daemons keep their leases */
  public NodeLeases(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  private Optional<Instant> expiry(String node) {
    long now = System.nanoTime();
    Read r = read.get(node);
    if (r == null || now - r.at() > LEASE_TTL_NANOS) {
      r = new Read(NodeDaemonLease.expiry(client, namespace, node), now);
      read.put(node, r);
    }
    return r.expiry();
  }

  /** How long to wait before looking again, or empty when the address may be given back now. */
  public Optional<Duration> waitBeforeRelease(CnmEndpoint ep, Instant now) {
    if (!EndpointStatusOwners.interfaceHeld(ep) || ep.getStatus().getNodeName() == null) {
      return Optional.empty();
    }
    String node = ep.getStatus().getNodeName();
    Optional<Instant> expiry;
    try {
      expiry = expiry(node);
    } catch (RuntimeException e) {
      LOG.warnf("lease of node %s not read (%s): endpoint %s/%s waits", node, e.getMessage(), ep.getMetadata().getNamespace(),
          ep.getMetadata().getName());
      return Optional.of(RECHECK);
    }
    if (expiry.isPresent() && expiry.get().isAfter(now)) {
      Duration left = Duration.between(now, expiry.get());
      return Optional.of(left.compareTo(RECHECK) < 0 ? left : RECHECK);
    }
    LOG.warnf("endpoint %s/%s: node %s's daemon %s; its address is given back without the node's word that the interface is gone",
        ep.getMetadata().getNamespace(), ep.getMetadata().getName(), node,
        expiry.map(t -> "has not renewed its lease since " + t.minusSeconds(NodeDaemonLease.DURATION_SECONDS)).orElse("holds no lease"));
    return Optional.empty();
  }
}
