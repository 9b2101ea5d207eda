package io.cnm.api.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;

class ClusterPkiTest {
  @Test
  void aKeyWrittenWithTheJdkIsReadByBouncyCastleAndBack() throws Exception {
    KeyPair kp = NodeKeys.keyPair();
    String pem = NodeKeys.keyPem(kp.getPrivate());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    assertThat(pem.lines().skip(1).takeWhile(l -> !l.startsWith("-----"))).allMatch(l -> l.length() <= 64);
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      assertThat(((PrivateKeyInfo) p.readObject()).getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
    }
    // The key read back signs what the public half verifies.
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(ClusterPki.privateKey(pem));
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(kp.getPublic());
    v.update(new byte[] {1, 2, 3});
    assertThat(v.verify(sig)).isTrue();
  }

  @Test
  void aCaKeyFromTheSecretStillSignsNodeCertificates() {
    Instant now = Instant.parse("2026-11-29T10:00:00Z");
    ClusterPki.Issued ca = ClusterPki.newCa(now, Duration.ofDays(3650));
    KeyPair node = NodeKeys.keyPair();
    ClusterPki.Issued cert = ClusterPki.issue(ca.certificatePem(), ca.keyPem(), "node1", node.getPublic(), now, Duration.ofHours(24));
    assertThat(NodeKeys.signedBy(NodeKeys.certificate(cert.certificatePem()), ca.certificatePem())).isTrue();
    assertThat(NodeKeys.nodeOf(NodeKeys.certificate(cert.certificatePem()))).isEqualTo("node1");
  }

  @Test
  void somethingElseIsRefusedWithAMessage() {
    assertThatThrownBy(() -> ClusterPki.privateKey("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS#8");
  }
}
