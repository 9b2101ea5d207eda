package io.cnm.api.pki;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Client TLS contexts for tests and the lab's mock API server: trusting given CAs alone, as a caBundle does. */
public final class TrustingTls {
  private TrustingTls() {}

  /** A context that trusts the certificates in {@code pem} (one or more) and nothing else. */
  public static SSLContext of(String pem) throws GeneralSecurityException {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))) {
        trust.setCertificateEntry("ca" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return tls;
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot make a trust store: " + e.getMessage(), e);
    }
  }
}
