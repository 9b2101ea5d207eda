package io.cnm.operator.admission;

import io.cnm.api.pki.ClusterPki;
import io.cnm.api.pki.NodeKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The webhook's certificate, kept in a Secret of the operator's namespace that every replica
 * reads: a CA of its own (the API server trusts it through the webhook's {@code caBundle}) and a
 * serving certificate for the names the API server dials, renewed from the same CA when a third
 * of its validity is left, so the {@code caBundle} stays as it is. Replicas that race to make or
 * renew it settle on whichever write the API server took first.
 */
public final class WebhookTls {
  static final String CA_CERT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String CERT = "tls.crt";
  static final String KEY = "tls.key";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);

  private final KubernetesClient client;
  private final String namespace;
  private final String secret;
  private final List<String> dnsNames;
  private final Duration validity;
  private final Clock clock;

  /** What the server presents and what the API server is told to trust. */
  public record Material(String caPem, String certPem, String keyPem) {}

  public WebhookTls(KubernetesClient client, String namespace, String secret, List<String> dnsNames, Duration validity, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.secret = secret;
    this.dnsNames = List.copyOf(dnsNames);
    this.validity = validity;
    this.clock = clock;
  }

  /** The current material: the Secret's when it is good, else made or renewed and written first. */
  public Material ensure() {
    for (int attempt = 0; ; attempt++) {
      Secret s = client.secrets().inNamespace(namespace).withName(secret).get();
      try {
        if (s == null) {
          ClusterPki.Issued ca = ClusterPki.newCa(clock.instant(), CA_VALIDITY);
          return read(client.secrets().inNamespace(namespace).resource(build(ca.certificatePem(), ca.keyPem(), null)).create());
        }
        Material m = read(s);
        if (good(m)) {
          return m;
        }
        Map<String, String> data = data(s);
        String caPem = data.get(CA_CERT);
        String caKey = data.get(CA_KEY);
        if (caKey == null || NodeKeys.certificate(caPem).getNotAfter().toInstant().isBefore(clock.instant().plus(validity))) {
          // The CA would cut the new certificate short: a new CA, which the webhook's registration then carries.
          ClusterPki.Issued ca = ClusterPki.newCa(clock.instant(), CA_VALIDITY);
          caPem = ca.certificatePem();
          caKey = ca.keyPem();
        }
        Secret renewed = build(caPem, caKey, s.getMetadata().getResourceVersion());
        return read(client.secrets().inNamespace(namespace).resource(renewed).update());
      } catch (KubernetesClientException e) {
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= 5) {
          throw e;
        }
        // Another replica wrote it first (409), or it went meanwhile (404): read it again.
      }
    }
  }

  /** Whether {@code m}'s certificate has more than a third of its validity left and covers every name. */
  boolean good(Material m) {
    X509Certificate cert = NodeKeys.certificate(m.certPem());
    Instant from = cert.getNotBefore().toInstant();
    Instant to = cert.getNotAfter().toInstant();
    Instant renewAt = to.minus(Duration.between(from, to).dividedBy(3));
    if (!clock.instant().isBefore(renewAt) || !NodeKeys.signedBy(cert, m.caPem())) {
      return false;
    }
    try {
      var names = cert.getSubjectAlternativeNames();
      return names != null && names.stream().filter(n -> (Integer) n.get(0) == 2).map(n -> (String) n.get(1)).toList().containsAll(dnsNames);
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
  }

  private Secret build(String caPem, String caKey, String resourceVersion) {
    ClusterPki.Issued leaf = ClusterPki.serving(caPem, caKey, dnsNames, clock.instant(), validity);
    Map<String, String> data = new HashMap<>();
    data.put(CA_CERT, b64(caPem));
    data.put(CA_KEY, b64(caKey));
    data.put(CERT, b64(leaf.certificatePem()));
    data.put(KEY, b64(leaf.keyPem()));
    return new SecretBuilder().withNewMetadata().withName(secret).withNamespace(namespace).withResourceVersion(resourceVersion)
        .addToLabels("app.kubernetes.io/managed-by", "cnm-operator").endMetadata()
        .withType("kubernetes.io/tls").withData(data).build();
  }

  private static Material read(Secret s) {
    Map<String, String> d = data(s);
    if (d.get(CA_CERT) == null || d.get(CERT) == null || d.get(KEY) == null) {
      throw new IllegalStateException("Secret " + s.getMetadata().getName() + " lacks " + CA_CERT + ", " + CERT + " or " + KEY);
    }
    return new Material(d.get(CA_CERT), d.get(CERT), d.get(KEY));
  }

  private static Map<String, String> data(Secret s) {
    Map<String, String> out = new HashMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A server-side TLS context presenting {@code m}'s certificate. */
  public static SSLContext serverContext(Material m) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] none = new char[0];
      ks.setKeyEntry("webhook", ClusterPki.privateKey(m.keyPem()), none,
          new java.security.cert.Certificate[] {NodeKeys.certificate(m.certPem()), NodeKeys.certificate(m.caPem())});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the webhook's certificate: " + e.getMessage(), e);
    }
  }
}
