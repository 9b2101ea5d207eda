package io.cnm.api.pki;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Where the cluster PKI lives, as the operator writes it and the node-daemons read it. The CA's
 * key is in Secret {@value #CA_SECRET}, which only the operator reads; its certificate, which
 * every daemon trusts, in ConfigMap {@value #CA_CONFIGMAP}. A daemon makes its own key pair at
 * start and publishes the public key on its node's Lease (annotation {@value #PUBLIC_KEY}); the
 * operator answers on the same Lease with a certificate for it ({@value #CERTIFICATE}). The
 * private key never leaves the node, and a daemon reads no Secret for it.
 */
public final class NodeCertificates {
  public static final String CA_SECRET = "cnm-ca";
  public static final String CA_CONFIGMAP = "cnm-ca";
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";
  public static final String CA = "ca.crt";
  /**
   * In the CA ConfigMap: the nodes removed from the cluster whose certificates may still be
   * unexpired, one per line. Daemons refuse their certificates and drop them from the gossip.
   */
  public static final String REVOKED = "revoked-nodes";
  /** On a daemon's Lease: its public key (base64 DER), written by the daemon. */
  public static final String PUBLIC_KEY = "cnm.io/tls-public-key";
  /** On a daemon's Lease: its certificate (PEM), written by the operator. */
  public static final String CERTIFICATE = "cnm.io/tls-certificate";

  private NodeCertificates() {}

  /** An annotation of a Lease, or null. */
  public static String annotation(Lease l, String key) {
    return l == null || l.getMetadata().getAnnotations() == null ? null : l.getMetadata().getAnnotations().get(key);
  }

  /** The CA's Secret (certificate and key). */
  public static Secret caSecret(String namespace, ClusterPki.Issued ca) {
    return new SecretBuilder().withNewMetadata().withName(CA_SECRET).withNamespace(namespace)
        .withLabels(Map.of("app.kubernetes.io/part-of", "cnm-operator")).endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of(CERT, b64(ca.certificatePem()), KEY, b64(ca.keyPem()))).build();
  }

  /** The CA's certificate as the daemons read it. */
  public static ConfigMap caConfigMap(String namespace, String caPem) {
    return new ConfigMapBuilder().withNewMetadata().withName(CA_CONFIGMAP).withNamespace(namespace)
        .withLabels(Map.of("app.kubernetes.io/part-of", "cnm-operator")).endMetadata().withData(Map.of(CA, caPem)).build();
  }

  /** The revoked nodes the CA ConfigMap lists. */
  public static java.util.Set<String> revoked(ConfigMap cm) {
    String v = cm == null || cm.getData() == null ? null : cm.getData().get(REVOKED);
    if (v == null || v.isBlank()) {
      return java.util.Set.of();
    }
    return java.util.Arrays.stream(v.split("\n")).map(String::trim).filter(x -> !x.isEmpty())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** A PEM entry of a Secret, or null. */
  public static String pem(Secret s, String key) {
    if (s == null || s.getData() == null || s.getData().get(key) == null) {
      return null;
    }
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static String b64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
