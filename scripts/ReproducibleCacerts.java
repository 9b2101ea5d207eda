import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.List;

/**
 * make images: rewrites Java's trust store (/etc/ssl/certs/java/cacerts, a JKS keystore that
 * Debian's ca-certificates-java writes with the time of the build in every entry) with the same
 * certificates, sorted by alias, each dated SOURCE_DATE_EPOCH, so the root file system is the same
 * bytes whenever the same packages are installed.
 *   java scripts/ReproducibleCacerts.java CACERTS EPOCH_SECONDS
 * The JKS format (version 2): magic, version, count, then per trusted certificate its tag (2), alias,
 * date, type and DER bytes, then a SHA-1 over the password, "Mighty Aphrodite" and all of that.
 */
public class ReproducibleCacerts {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long millis = Long.parseLong(args[1]) * 1000;
    char[] password = "changeit".toCharArray();
    KeyStore in = KeyStore.getInstance("JKS");
    try (FileInputStream f = new FileInputStream(file.toFile())) {
      in.load(f, password);
    }
    List<String> aliases = Collections.list(in.aliases());
    Collections.sort(aliases);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    for (char c : password) {
      sha1.update((byte) (c >> 8));
      sha1.update((byte) c);
    }
    sha1.update("Mighty Aphrodite".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0xFEEDFEED);
    out.writeInt(2);
    out.writeInt(aliases.size());
    for (String alias : aliases) {
      if (!in.isCertificateEntry(alias)) {
        throw new IllegalStateException(file + ": " + alias + " is not a trusted certificate; nothing was changed");
      }
      Certificate cert = in.getCertificate(alias);
      byte[] der = cert.getEncoded();
      out.writeInt(2);
      out.writeUTF(alias);
      out.writeLong(millis);
      out.writeUTF(cert.getType());
      out.writeInt(der.length);
      out.write(der);
    }
    out.flush();
    sha1.update(bytes.toByteArray());
    out.write(sha1.digest());
    out.flush();
    // Read back before replacing: the rewritten store must hold exactly the certificates it held.
    KeyStore check = KeyStore.getInstance("JKS");
    check.load(new java.io.ByteArrayInputStream(bytes.toByteArray()), password);
    for (String alias : aliases) {
      if (!check.getCertificate(alias).equals(in.getCertificate(alias))) {
        throw new IllegalStateException("rewritten " + alias + " differs; nothing was changed");
      }
    }
    Files.write(file, bytes.toByteArray());
  }
}
