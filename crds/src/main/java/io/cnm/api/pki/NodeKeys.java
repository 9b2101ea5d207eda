package io.cnm.api.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

/**
 * A node's side of the cluster PKI, with the JDK alone: its key pair (ECDSA P-256, made on the
 * node), the key kept as PKCS#8 PEM, the public half as it is published, and the certificates it
 * is given, read and checked. The node-daemon uses only this class, and ships without Bouncy
 * Castle: Netty loads Bouncy Castle's provider whenever it is on the class path (some 760
 * classes, ~5 MB of a DaemonSet's metaspace). Certificates are made by {@link ClusterPki}, in
 * the operator.
 */
public final class NodeKeys {
  /** The URI SAN prefix naming a node: the identity the gossip's peers check. */
  public static final String NODE_URI = "cnm://node/";
  /** The type of a URI in {@link X509Certificate#getSubjectAlternativeNames()} (RFC 5280 GeneralName). */
  private static final int URI_SAN = 6;
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";
  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeKeys() {}

  /** A private key as PKCS#8 PEM. */
  public static String keyPem(PrivateKey key) {
    String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded());
    return PKCS8_BEGIN + "\n" + body + "\n" + PKCS8_END + "\n";
  }

  /** A public key as the node publishes it: base64 of its DER SubjectPublicKeyInfo. */
  public static String encode(PublicKey key) {
    return java.util.Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** The public key a node published. */
  public static PublicKey publicKey(String base64) {
    try {
      return java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(
          java.util.Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an EC public key: " + e.getMessage(), e);
    }
  }

  /** A node's key pair (ECDSA P-256): made on the node, its public half sent for signing. */
  public static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 in this JDK", e);
    }
  }

  /** The first certificate of a PEM text. */
  public static X509Certificate certificate(String pem) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** The node a certificate names in its URI SAN, or null. */
  public static String nodeOf(X509Certificate cert) {
    try {
      if (cert.getSubjectAlternativeNames() == null) {
        return null;
      }
      for (List<?> san : cert.getSubjectAlternativeNames()) {
        if (((Integer) san.get(0)) == URI_SAN && san.get(1).toString().startsWith(NODE_URI)) {
          return san.get(1).toString().substring(NODE_URI.length());
        }
      }
      return null;
    } catch (java.security.cert.CertificateParsingException e) {
      return null;
    }
  }

  /** Whether {@code cert} was signed by the CA of {@code caPem}. */
  public static boolean signedBy(X509Certificate cert, String caPem) {
    try {
      cert.verify(certificate(caPem).getPublicKey());
      return true;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** A PKCS#8 PEM private key (EC); throws IllegalArgumentException for anything else. */
  public static PrivateKey privateKey(String pem) {
    if (!isPkcs8(pem)) {
      throw new IllegalArgumentException("not a PKCS#8 PEM private key (" + PKCS8_BEGIN + ")");
    }
    String text = pem.strip();
    try {
      byte[] der = java.util.Base64.getMimeDecoder().decode(text.substring(PKCS8_BEGIN.length(), text.length() - PKCS8_END.length()));
      return java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an EC private key in PKCS#8: " + e.getMessage(), e);
    }
  }

  /** Whether {@code pem} is a PKCS#8 private key, which {@link #privateKey} reads. */
  static boolean isPkcs8(String pem) {
    String text = pem.strip();
    return text.startsWith(PKCS8_BEGIN) && text.endsWith(PKCS8_END);
  }
}
