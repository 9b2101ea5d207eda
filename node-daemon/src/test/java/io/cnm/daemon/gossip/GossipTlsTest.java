package io.cnm.daemon.gossip;

import io.cnm.api.pki.NodeKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.pki.ClusterPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gossip's TCP sync over mutual TLS on real sockets (127.0.0.1:23100+i), all members sharing
 * the keyring: certificates from the cluster CA join; one from another CA, an expired one and
 * none at all do not, and each refusal is counted; a certificate replaced while running keeps
 * the member syncing without a restart.
 */
class GossipTlsTest {
  record M(Memberlist ml, NetworkDb db, RealScheduler s, NettyTransport t, GossipTls tls) {}

  final byte[] key = new byte[32];
  final List<M> started = new ArrayList<>();
  final Instant now = Instant.now();
  final ClusterPki.Issued ca = ClusterPki.newCa(now, Duration.ofDays(1));

  M member(int i) {
    GossipTls tls = new GossipTls();
    NettyTransport t = new NettyTransport(new InetSocketAddress("127.0.0.1", 23100 + i), null, tls);
    RealScheduler s = new RealScheduler("tls-gossip-" + i);
    Memberlist ml = new Memberlist("m" + i, GossipConfig.defaults(), t, new Keyring(List.of(key)), s, new Random(i));
    NetworkDb db = new NetworkDb("m" + i, System.currentTimeMillis());
    ml.start(db, List.of());
    db.attach(ml);
    M m = new M(ml, db, s, t, tls);
    started.add(m);
    return m;
  }

  /** Certifies the member's own key with {@code by} (a CA), from {@code from} for {@code validity}. */
  static void certify(M m, ClusterPki.Issued by, String node, Instant from, Duration validity) {
    PublicKey pub = NodeKeys.publicKey(m.tls().publicKey());
    assertThat(m.tls().update(ClusterPki.issue(by.certificatePem(), by.keyPem(), node, pub, from, validity).certificatePem(),
        by.certificatePem())).isTrue();
  }

  @AfterEach
  void stop() {
    started.forEach(m -> {
      m.ml().halt();
      m.t().close();
      m.s().close();
    });
  }

  @Test
  void onlyCertificatesOfTheClusterCaThatAreValidNow_join_andRefusalsAreCounted() throws Exception {
    key[0] = 7;
    M a = member(0);
    M b = member(1);
    certify(a, ca, "m0", now, Duration.ofHours(1));
    certify(b, ca, "m1", now, Duration.ofHours(1));
    assertThat(b.ml().join(List.of(a.t().localAddress())).get()).as("the cluster CA's certificates").isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.ml().members().size() == 2 && b.ml().members().size() == 2);

    // Another CA (the same keyring: only the certificate is wrong).
    M foreign = member(2);
    certify(foreign, ClusterPki.newCa(now, Duration.ofDays(1)), "m2", now, Duration.ofHours(1));
    long refusedBefore = a.tls().refused();
    assertThat(foreign.ml().join(List.of(a.t().localAddress())).get()).as("a certificate of another CA").isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.tls().refused() > refusedBefore);

    // Expired: issued two hours ago for one hour, by the cluster CA.
    M expired = member(3);
    certify(expired, ca, "m3", now.minus(Duration.ofHours(2)), Duration.ofHours(1));
    long refusedAtExpired = a.tls().refused();
    assertThat(expired.ml().join(List.of(a.t().localAddress())).get()).as("an expired certificate").isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.tls().refused() > refusedAtExpired);

    // None at all: it cannot even ask.
    M none = member(4);
    assertThat(none.ml().join(List.of(a.t().localAddress())).get()).as("no certificate").isZero();

    Thread.sleep(1500);
    assertThat(a.ml().members()).as("a's members").containsOnlyKeys("m0", "m1");
    assertThat(b.ml().members()).as("b's members").containsOnlyKeys("m0", "m1");
  }

  @Test
  void aCertificateReplacedWhileRunning_keepsTheSyncGoing_noRestart() throws Exception {
    key[0] = 8;
    M a = member(10);
    M b = member(11);
    certify(a, ca, "m10", now, Duration.ofHours(1));
    certify(b, ca, "m11", now, Duration.ofHours(1));
    assertThat(b.ml().join(List.of(a.t().localAddress())).get()).isEqualTo(1);
    // Both renewed (as the operator does with a third of the validity left), the transports as they are.
    certify(a, ca, "m10", now.plusSeconds(60), Duration.ofHours(1));
    certify(b, ca, "m11", now.plusSeconds(60), Duration.ofHours(1));
    a.db().joinNetwork("n");
    b.db().joinNetwork("n");
    Thread.sleep(300);
    long refused = a.tls().refused() + b.tls().refused();
    b.db().put("n", "endpoint", "k", "v".getBytes(StandardCharsets.UTF_8));
    // A full sync (TCP, so TLS with the new certificates) carries it too.
    assertThat(a.ml().join(List.of(b.t().localAddress())).get()).as("a sync after the renewal").isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.db().table("endpoint").getOrDefault("n", Map.of()).containsKey("k"));
    assertThat(a.tls().refused() + b.tls().refused()).isEqualTo(refused);
  }

  @Test
  void aRemovedNodesCertificate_isRefusedThoughUnexpired_andTheNodeLosesItsPlace() throws Exception {
    key[0] = 9;
    M a = member(20);
    M b = member(21);
    M c = member(22);
    certify(a, ca, "m20", now, Duration.ofHours(1));
    certify(b, ca, "m21", now, Duration.ofHours(1));
    certify(c, ca, "m22", now, Duration.ofHours(1));
    assertThat(b.ml().join(List.of(a.t().localAddress())).get()).isEqualTo(1);
    assertThat(c.ml().join(List.of(a.t().localAddress())).get()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.ml().members().size() == 3 && b.ml().members().size() == 3);
    // The operator lists m22's node as removed; a and b read it (with their heartbeat) and act on it.
    for (M m : List.of(a, b)) {
      assertThat(m.tls().revoked(java.util.Set.of("m22"))).isTrue();
      m.ml().bar(m.tls().revoked());
    }
    long refused = a.tls().refused();
    assertThat(c.ml().join(List.of(a.t().localAddress())).get()).as("a sync from the removed node").isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.tls().refused() > refused);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.ml().members().get("m22").state().gone()
        && b.ml().members().get("m22").state().gone());
    Thread.sleep(2000); // m22 refutes over UDP meanwhile: not taken
    assertThat(a.ml().members().get("m22").state().gone()).isTrue();
    assertThat(b.ml().join(List.of(a.t().localAddress())).get()).as("the others still sync").isEqualTo(1);
  }
}
