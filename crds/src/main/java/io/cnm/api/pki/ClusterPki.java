package io.cnm.api.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the cluster's certificates: a CA (ECDSA P-256, self-signed) and, per node-daemon, a
 * certificate with the node's name as subject CN and DNS SAN and the URI SAN
 * {@code cnm://node/NAME}, valid for client and server authentication, signed by the CA. Keys
 * are PKCS#8 PEM, certificates PEM. Pure: the caller chooses the times. A node's own key and the
 * reading of certificates are in {@link NodeKeys}, which needs no Bouncy Castle.
 */
public final class ClusterPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterPki() {}

  /** A certificate and its key, as PEM, and when it stops being valid. */
  public record Issued(String certificatePem, String keyPem, Instant notAfter) {}

  /** A new CA valid from {@code now} (less a minute, for clocks a little behind) for {@code validity}. */
  public static Issued newCa(Instant now, Duration validity) {
    KeyPair kp = NodeKeys.keyPair();
    X500Name name = new X500Name("CN=cnm-operator cluster CA");
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(validity)), name, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Issued(pem(b.build(signer(kp.getPrivate()))), NodeKeys.keyPem(kp.getPrivate()), now.plus(validity));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the cluster CA: " + e.getMessage(), e);
    }
  }

  /** A node's certificate and a new key for it (tests, and tools that hand out both). */
  public static Issued issue(String caCertPem, String caKeyPem, String node, Instant now, Duration validity) {
    KeyPair kp = NodeKeys.keyPair();
    return new Issued(issue(caCertPem, caKeyPem, node, kp.getPublic(), now, validity).certificatePem(), NodeKeys.keyPem(kp.getPrivate()),
        now.plus(validity));
  }

  /**
   * A node's certificate for the public key the node made (its private key never leaves the
   * node), signed by the CA, valid from {@code now} for {@code validity} (not beyond the CA's own).
   * The result's key is empty.
   */
  public static Issued issue(String caCertPem, String caKeyPem, String node, PublicKey publicKey, Instant now, Duration validity) {
    try {
      return sign(caCertPem, caKeyPem, new X500Name("CN=" + escape(node) + ",O=cnm-operator node-daemon"), publicKey, now, validity,
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth},
          new GeneralName(GeneralName.dNSName, node), new GeneralName(GeneralName.uniformResourceIdentifier, NodeKeys.NODE_URI + node));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue the certificate of node " + node + ": " + e.getMessage(), e);
    }
  }

  /**
   * A TLS server's certificate (the operator's admission webhook) for the DNS names a client
   * dials, and a new key for it, signed by the CA, valid for server authentication only.
   */
  public static Issued serving(String caCertPem, String caKeyPem, java.util.List<String> dnsNames, Instant now, Duration validity) {
    KeyPair kp = NodeKeys.keyPair();
    try {
      Issued cert = sign(caCertPem, caKeyPem, new X500Name("CN=" + escape(dnsNames.get(0)) + ",O=cnm-operator"), kp.getPublic(), now, validity,
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth},
          dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new));
      return new Issued(cert.certificatePem(), NodeKeys.keyPem(kp.getPrivate()), cert.notAfter());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a serving certificate for " + dnsNames + ": " + e.getMessage(), e);
    }
  }

  /** A leaf certificate signed by the CA, valid from {@code now} for {@code validity} but not beyond the CA; its key is empty. */
  private static Issued sign(String caCertPem, String caKeyPem, X500Name subject, PublicKey publicKey, Instant now, Duration validity,
      KeyPurposeId[] purposes, GeneralName... names) throws IOException, GeneralSecurityException {
    X509Certificate ca = NodeKeys.certificate(caCertPem);
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
      notAfter = ca.getNotAfter().toInstant();
    }
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minusSeconds(60)), Date.from(notAfter),
        subject, publicKey);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
    return new Issued(pem(b.build(signer(privateKey(caKeyPem)))), "", notAfter);
  }

  private static String escape(String rdnValue) {
    return rdnValue.replace(",", "\\,").replace("=", "\\=");
  }

  /** A PEM private key: PKCS#8 (as {@link NodeKeys} writes it), or the older EC form ("EC PRIVATE KEY"). */
  public static PrivateKey privateKey(String pem) {
    if (NodeKeys.isPkcs8(pem)) {
      return NodeKeys.privateKey(pem);
    }
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return c.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return c.getKeyPair(pair).getPrivate();
      }
      throw new IllegalArgumentException("not a PEM private key");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static ContentSigner signer(PrivateKey key) {
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(X509CertificateHolder holder) throws GeneralSecurityException, IOException {
    return write(new JcaX509CertificateConverter().getCertificate(holder));
  }

  private static String write(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
