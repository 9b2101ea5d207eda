package io.cnm.operator.pki;

import io.cnm.api.pki.NodeKeys;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.pki.ClusterPki;
import io.cnm.api.pki.NodeCertificates;
import io.cnm.api.status.NodeDaemonLease;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's CA on the mock API server (CRUD mode, namespace cnm-system): node-daemons publish
 * a public key on their Lease and get a certificate for it; renewal at a third of the validity, a
 * new key, a foreign certificate, a node that left.
 */
class NodeCertificateIssuerTest {
  KubernetesMockServer server;
  KubernetesClient client;
  Instant now = Instant.parse("2026-11-29T00:00:00Z");
  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @BeforeEach
  void setUp() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("cnm-system").endMetadata().build()).create();
    for (String n : new String[] {"node1", "node2"}) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata().build()).create();
    }
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  NodeCertificateIssuer issuer() {
    return new NodeCertificateIssuer(client, "cnm-system", Duration.ofHours(24), Duration.ofDays(3650), clock);
  }

  Lease publish(String node, KeyPair kp) {
    return NodeDaemonLease.renew(client, "cnm-system", node, now, Map.of(NodeCertificates.PUBLIC_KEY, NodeKeys.encode(kp.getPublic())));
  }

  X509Certificate certOf(String node) {
    String pem = NodeCertificates.annotation(client.leases().inNamespace("cnm-system").withName(NodeDaemonLease.name(node)).get(),
        NodeCertificates.CERTIFICATE);
    return pem == null ? null : NodeKeys.certificate(pem);
  }

  @Test
  void aDaemonsPublicKey_getsACertificateNamingItsNode_signedByTheClusterCa_whoseKeyOnlyTheSecretHolds() throws Exception {
    NodeCertificateIssuer issuer = issuer();
    String ca = issuer.ensureCa();
    KeyPair kp = NodeKeys.keyPair();
    publish("node1", kp);
    issuer.reconcileAll();
    X509Certificate c = certOf("node1");
    assertThat(c).isNotNull();
    assertThat(NodeKeys.nodeOf(c)).isEqualTo("node1");
    assertThat(c.getPublicKey()).isEqualTo(kp.getPublic());
    assertThat(NodeKeys.signedBy(c, ca)).isTrue();
    assertThat(c.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofHours(24)));
    assertThat(c.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    // The daemons read the CA's certificate from a ConfigMap; its key stays in the operator's Secret.
    assertThat(client.configMaps().inNamespace("cnm-system").withName(NodeCertificates.CA_CONFIGMAP).get().getData())
        .containsOnlyKeys(NodeCertificates.CA).containsValue(ca);
    assertThat(client.secrets().inNamespace("cnm-system").withName(NodeCertificates.CA_SECRET).get().getData())
        .containsKeys(NodeCertificates.KEY);
    // A second operator start keeps the same CA.
    assertThat(issuer().ensureCa()).isEqualTo(ca);
  }

  @Test
  void renewedOnlyWithAThirdLeft_reissuedForANewKey_andForACertificateOfAnotherCa() {
    NodeCertificateIssuer issuer = issuer();
    issuer.ensureCa();
    KeyPair kp = NodeKeys.keyPair();
    publish("node1", kp);
    issuer.reconcileAll();
    X509Certificate first = certOf("node1");
    now = now.plus(Duration.ofHours(15)); // 9 h left of 24: more than a third
    issuer.reconcileAll();
    assertThat(certOf("node1")).isEqualTo(first);
    now = now.plus(Duration.ofHours(2)); // 7 h left: less than a third
    issuer.reconcileAll();
    X509Certificate renewed = certOf("node1");
    assertThat(renewed).isNotEqualTo(first);
    assertThat(renewed.getPublicKey()).isEqualTo(kp.getPublic());
    // The daemon restarted with a new key.
    KeyPair next = NodeKeys.keyPair();
    publish("node1", next);
    issuer.reconcileAll();
    assertThat(certOf("node1").getPublicKey()).isEqualTo(next.getPublic());
    // Someone put a certificate of another CA there.
    ClusterPki.Issued other = ClusterPki.newCa(now, Duration.ofDays(1));
    String foreign = ClusterPki.issue(other.certificatePem(), other.keyPem(), "node1", next.getPublic(), now, Duration.ofHours(24))
        .certificatePem();
    Lease l = client.leases().inNamespace("cnm-system").withName(NodeDaemonLease.name("node1")).get();
    l.getMetadata().getAnnotations().put(NodeCertificates.CERTIFICATE, foreign);
    client.leases().inNamespace("cnm-system").resource(l).update();
    issuer.reconcileAll();
    assertThat(NodeKeys.signedBy(certOf("node1"), issuer.ensureCa())).isTrue();
  }

  @Test
  void aNodeThatLeftTheCluster_losesItsCertificate_andGetsNoNewOne() {
    NodeCertificateIssuer issuer = issuer();
    issuer.ensureCa();
    publish("node2", NodeKeys.keyPair());
    issuer.reconcileAll();
    assertThat(certOf("node2")).isNotNull();
    client.nodes().withName("node2").delete();
    issuer.reconcileAll();
    assertThat(certOf("node2")).isNull();
    publish("node2", NodeKeys.keyPair());
    issuer.reconcileAll();
    assertThat(certOf("node2")).isNull();
    publish("ghost", NodeKeys.keyPair()); // never a Node
    issuer.reconcileAll();
    assertThat(certOf("ghost")).isNull();
    // Listed as revoked for the daemons while a certificate of theirs could still be valid, then no more.
    assertThat(NodeCertificates.revoked(client.configMaps().inNamespace("cnm-system").withName(NodeCertificates.CA_CONFIGMAP).get()))
        .containsExactlyInAnyOrder("node2", "ghost");
    now = now.plus(Duration.ofHours(25));
    issuer.reconcileAll();
    assertThat(NodeCertificates.revoked(client.configMaps().inNamespace("cnm-system").withName(NodeCertificates.CA_CONFIGMAP).get()))
        .isEmpty();
    assertThat(client.configMaps().inNamespace("cnm-system").withName(NodeCertificates.CA_CONFIGMAP).get().getData())
        .containsKey(NodeCertificates.CA);
  }
}
