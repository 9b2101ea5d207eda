package io.cnm.daemon.gossip;

import io.cnm.api.pki.NodeKeys;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS of the gossip's TCP sync (seed: "Control Plane Security"). The daemon's own key pair,
 * made on the node and never sent anywhere (its public half goes to the CA); the certificate the operator's CA issued for it and
 * the CA's certificate, both replaced while running (a renewal needs no restart: connections made
 * after it use the new one). Both ends present a certificate and accept only one the cluster CA
 * signed that is valid now (TLS 1.3); a peer that does not is refused and counted.
 */
public final class GossipTls {
  private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(GossipTls.class);
  private final KeyPair keys;
  private final AtomicLong refused = new AtomicLong();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Contexts contexts;
  private volatile java.util.Set<String> revoked = java.util.Set.of();

  /** A key pair for this daemon's life only (tests). */
  public GossipTls() {
    this.keys = NodeKeys.keyPair();
  }

  /**
   * The node's key pair kept in {@code dir} (made there once, readable by root only), as a
   * kubelet keeps its client key: a restarted daemon presents the certificate it already has and
   * syncs at once, instead of waiting for a new one. Where it cannot be kept, one for this life.
   */
  public GossipTls(java.nio.file.Path dir) {
    this.keys = stored(dir);
  }

  private static KeyPair stored(java.nio.file.Path dir) {
    java.nio.file.Path key = dir.resolve("gossip-tls.key");
    java.nio.file.Path pub = dir.resolve("gossip-tls.pub");
    try {
      if (java.nio.file.Files.exists(key) && java.nio.file.Files.exists(pub)) {
        return new KeyPair(NodeKeys.publicKey(java.nio.file.Files.readString(pub).trim()),
            NodeKeys.privateKey(java.nio.file.Files.readString(key)));
      }
      KeyPair kp = NodeKeys.keyPair();
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Path tmp = dir.resolve("gossip-tls.key.tmp");
      java.nio.file.Files.deleteIfExists(tmp);
      java.nio.file.Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      java.nio.file.Files.writeString(tmp, NodeKeys.keyPem(kp.getPrivate()));
      java.nio.file.Files.writeString(pub, NodeKeys.encode(kp.getPublic()));
      java.nio.file.Files.move(tmp, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return kp;
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warnf("cannot keep the gossip's TLS key in %s (%s): a key for this start only, so a restart waits for a new certificate",
          dir, e.getMessage());
      return NodeKeys.keyPair();
    }
  }

  private record Contexts(String certPem, String caPem, SslContext server, SslContext client, Instant notAfter) {}

  /** The public key to publish for the CA to certify (base64 DER). */
  public String publicKey() {
    return NodeKeys.encode(keys.getPublic());
  }

  /**
   * Takes the certificate and CA as they now are; contexts are built again only when either
   * changed. A certificate for another key than this daemon's (the answer to a previous life) is
   * not taken.
   *
   * @return whether anything changed
   */
  public synchronized boolean update(String certPem, String caPem) {
    Contexts had = contexts;
    if (certPem == null || caPem == null || (had != null && certPem.equals(had.certPem()) && caPem.equals(had.caPem()))) {
      return false;
    }
    X509Certificate cert = NodeKeys.certificate(certPem);
    if (!cert.getPublicKey().equals(keys.getPublic())) {
      return false;
    }
    X509Certificate ca = NodeKeys.certificate(caPem);
    try {
      SslContext server = SslContextBuilder.forServer(keys.getPrivate(), cert).trustManager(ca).clientAuth(ClientAuth.REQUIRE)
          .protocols("TLSv1.3").build();
      SslContext client = SslContextBuilder.forClient().keyManager(keys.getPrivate(), cert).trustManager(ca).protocols("TLSv1.3").build();
      contexts = new Contexts(certPem, caPem, server, client, cert.getNotAfter().toInstant());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the gossip's TLS contexts: " + e.getMessage(), e);
    }
    listeners.forEach(Runnable::run);
    return true;
  }

  /**
   * The nodes removed from the cluster (the operator's list in the CA ConfigMap): their
   * certificates are refused though unexpired.
   *
   * @return whether the list changed
   */
  public boolean revoked(java.util.Set<String> nodes) {
    if (nodes.equals(revoked)) {
      return false;
    }
    revoked = java.util.Set.copyOf(nodes);
    listeners.forEach(Runnable::run);
    return true;
  }

  public java.util.Set<String> revoked() {
    return revoked;
  }

  /** Whether a handshake's peer may stay: its certificate names a node that was not removed. */
  boolean admits(javax.net.ssl.SSLSession session) {
    try {
      java.security.cert.Certificate[] chain = session.getPeerCertificates();
      String node = chain.length == 0 ? null : NodeKeys.nodeOf((X509Certificate) chain[0]);
      return node != null && !revoked.contains(node);
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /** Whether this daemon holds a certificate (until then it cannot sync with anyone, nor be synced with). */
  public boolean ready() {
    return contexts != null;
  }

  /** When this daemon's certificate expires; null before it has one. */
  public Instant notAfter() {
    Contexts c = contexts;
    return c == null ? null : c.notAfter();
  }

  SslContext server() {
    return Objects.requireNonNull(contexts, "no certificate yet").server();
  }

  SslContext client() {
    return Objects.requireNonNull(contexts, "no certificate yet").client();
  }

  /** Connections refused because the peer's certificate was missing, foreign or expired (or the handshake failed). */
  public long refused() {
    return refused.get();
  }

  void refusedOne() {
    refused.incrementAndGet();
  }

  /** Called after each change of the certificate, the CA or the revoked nodes. */
  public void onChange(Runnable r) {
    listeners.add(r);
  }
}
