package io.cnm.operator.pki;

import io.cnm.api.pki.NodeKeys;
import io.cnm.api.pki.ClusterPki;
import io.cnm.api.pki.NodeCertificates;
import io.cnm.api.status.NodeDaemonLease;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the cluster PKI: makes the CA once (Secret and ConfigMap {@code cnm-ca}), and answers each
 * node-daemon's Lease that carries a public key with a certificate for it, naming the Lease's
 * node. A certificate is issued again once less than a third of its validity is left, when the
 * node's key changed (a restarted daemon) or when another CA signed it; a Lease whose node is no
 * longer a Node of the cluster has its certificate withdrawn, and the node is listed as revoked in
 * the CA ConfigMap until its certificate would have expired: the other daemons refuse that
 * certificate and drop the node from the gossip at once. Events come from an informer on the
 * Leases; a timer renews, withdraws and revokes.
 */
public final class NodeCertificateIssuer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeCertificateIssuer.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Duration validity;
  private final Duration caValidity;
  private final Clock clock;
  private volatile String caCert;
  private volatile String caKey;
  /** The Nodes as last listed, and those found since: a Lease event asks the API only about a node not among them. */
  private volatile Set<String> knownNodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<Lease> leases;
  private ScheduledExecutorService timer;

  public NodeCertificateIssuer(KubernetesClient client, String namespace, Duration validity, Duration caValidity, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.validity = validity;
    this.caValidity = caValidity;
    this.clock = clock;
  }

  /** The CA's certificate (PEM), made when there is none. */
  public synchronized String ensureCa() {
    Secret s = client.secrets().inNamespace(namespace).withName(NodeCertificates.CA_SECRET).get();
    if (s == null) {
      ClusterPki.Issued ca = ClusterPki.newCa(clock.instant(), caValidity);
      s = client.secrets().inNamespace(namespace).resource(NodeCertificates.caSecret(namespace, ca)).create();
      LOG.infof("cluster CA created: Secret %s/%s, valid until %s", namespace, NodeCertificates.CA_SECRET, ca.notAfter());
    }
    caCert = NodeCertificates.pem(s, NodeCertificates.CERT);
    caKey = NodeCertificates.pem(s, NodeCertificates.KEY);
    var cm = client.configMaps().inNamespace(namespace).withName(NodeCertificates.CA_CONFIGMAP).get();
    if (cm == null) {
      client.configMaps().inNamespace(namespace).resource(NodeCertificates.caConfigMap(namespace, caCert)).create();
    } else if (cm.getData() == null || !caCert.equals(cm.getData().get(NodeCertificates.CA))) {
      Map<String, String> data = new HashMap<>(cm.getData() == null ? Map.of() : cm.getData());
      data.put(NodeCertificates.CA, caCert);
      cm.setData(data);
      client.configMaps().inNamespace(namespace).resource(cm).update();
    }
    return caCert;
  }

  /** Every node-daemon Lease once: issue, renew, withdraw. */
  public void reconcileAll() {
    if (caCert == null) {
      ensureCa();
    }
    Set<String> nodes = client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    knownNodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    knownNodes.addAll(nodes);
    java.util.TreeSet<String> revoked = new java.util.TreeSet<>();
    for (Lease l : client.leases().inNamespace(namespace).list().getItems()) {
      if (NodeDaemonLease.isOne(l.getMetadata().getName())) {
        reconcile(l, nodes::contains);
        String holder = l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
        if (holder != null && !nodes.contains(holder) && mayHoldCertificate(l)) {
          revoked.add(holder);
        }
      }
    }
    publishRevoked(revoked);
  }

  /** Whether a certificate issued to this Lease's daemon could still be valid: it renewed within a validity. */
  private boolean mayHoldCertificate(Lease l) {
    var renewed = l.getSpec().getRenewTime();
    return renewed == null || renewed.toInstant().plus(validity).isAfter(clock.instant());
  }

  /**
   * The removed nodes whose certificates may still be unexpired, in the CA ConfigMap the daemons
   * read with every heartbeat: they refuse those certificates and drop those names from the gossip
   * (a revocation list, cleared as the certificates run out).
   */
  private void publishRevoked(java.util.SortedSet<String> revoked) {
    var cm = client.configMaps().inNamespace(namespace).withName(NodeCertificates.CA_CONFIGMAP).get();
    if (cm == null) {
      return;
    }
    Set<String> had = NodeCertificates.revoked(cm);
    if (had.equals(revoked)) {
      return;
    }
    Map<String, String> data = new HashMap<>(cm.getData() == null ? Map.of() : cm.getData());
    if (revoked.isEmpty()) {
      data.remove(NodeCertificates.REVOKED);
    } else {
      data.put(NodeCertificates.REVOKED, String.join("\n", revoked));
    }
    cm.setData(data);
    client.configMaps().inNamespace(namespace).resource(cm).update();
    LOG.infof("nodes removed from the cluster, their certificates refused until they expire: %s", revoked.isEmpty() ? "none" : revoked);
  }

  /** One Lease: what it needs of the CA now; {@code isNode} says whether a name is a Node of the cluster. */
  void reconcile(Lease l, java.util.function.Predicate<String> isNode) {
    String node = l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    String key = NodeCertificates.annotation(l, NodeCertificates.PUBLIC_KEY);
    String cert = NodeCertificates.annotation(l, NodeCertificates.CERTIFICATE);
    if (node == null || key == null) {
      return;
    }
    if (!isNode.test(node)) {
      if (cert != null) {
        annotate(l, null);
        LOG.infof("node %s is not a Node of the cluster: its node-daemon's certificate is withdrawn", node);
      }
      return;
    }
    if (current(cert, node, key)) {
      return;
    }
    ClusterPki.Issued issued;
    try {
      issued = ClusterPki.issue(caCert, caKey, node, NodeKeys.publicKey(key), clock.instant(), validity);
    } catch (IllegalArgumentException e) {
      LOG.warnf("node %s published a key that is not an EC public key (%s): no certificate", node, e.getMessage());
      return;
    }
    annotate(l, issued.certificatePem());
    LOG.infof("certificate issued to node-daemon %s, valid until %s", node, issued.notAfter());
  }

  /** Whether the certificate is ours, names the node and its key, and has more than a third of its validity left. */
  private boolean current(String certPem, String node, String key) {
    if (certPem == null) {
      return false;
    }
    try {
      X509Certificate c = NodeKeys.certificate(certPem);
      return NodeKeys.signedBy(c, caCert) && node.equals(NodeKeys.nodeOf(c)) && NodeKeys.encode(c.getPublicKey()).equals(key)
          && Duration.between(clock.instant(), c.getNotAfter().toInstant()).compareTo(validity.dividedBy(3)) > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void annotate(Lease l, String certPem) {
    Map<String, String> a = new HashMap<>(l.getMetadata().getAnnotations() == null ? Map.of() : l.getMetadata().getAnnotations());
    if (certPem == null) {
      a.remove(NodeCertificates.CERTIFICATE);
    } else {
      a.put(NodeCertificates.CERTIFICATE, certPem);
    }
    l.getMetadata().setAnnotations(a);
    // On the Lease as read: a renewal in between makes this a conflict, and the next event tries again.
    client.leases().inNamespace(namespace).resource(l).update();
  }

  /** Watches the Leases and renews on a timer (a tenth of the validity, at most a minute). */
  public void start() {
    ensureCa();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cnm-pki");
      t.setDaemon(true);
      return t;
    });
    leases = client.leases().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Lease l) {
        onLease(l);
      }

      @Override
      public void onUpdate(Lease a, Lease b) {
        onLease(b);
      }

      @Override
      public void onDelete(Lease l, boolean unknown) {}
    });
    long every = Math.max(1, Math.min(validity.toSeconds() / 10, 60));
    timer.scheduleWithFixedDelay(() -> {
      try {
        reconcileAll();
      } catch (KubernetesClientException e) {
        LOG.warnf("node certificates not reconciled (retrying in %d s): %s", every, e.getMessage());
      }
    }, every, every, TimeUnit.SECONDS);
  }

  private void onLease(Lease l) {
    if (!NodeDaemonLease.isOne(l.getMetadata().getName())) {
      return;
    }
    timer.execute(() -> {
      try {
        reconcile(l, node -> knownNodes.contains(node) || (client.nodes().withName(node).get() != null && knownNodes.add(node)));
      } catch (KubernetesClientException e) {
        LOG.debugf("lease %s: %s (the next event or tick tries again)", l.getMetadata().getName(), e.getMessage());
      }
    });
  }

  @Override
  public void close() {
    if (leases != null) {
      leases.close();
    }
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
