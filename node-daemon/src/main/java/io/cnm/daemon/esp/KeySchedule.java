package io.cnm.daemon.esp;

import io.cnm.api.net.IpAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the ESP keys between two nodes come from: the cluster's keyring (the operator's Secret,
 * rotated every 12 h, the one the gossip uses), through HKDF-SHA256 with a label of its own, so
 * the two uses never share a key. Nothing is negotiated: both nodes derive the same association.
 * <p>
 * The SPI says which key material to derive: {@code 1 | key tag (5 bits) | sender session
 * (16 bits) | epoch (10 bits)}. The tag picks the keyring key (its SHA-256's first bits), the
 * session is the sending daemon's, new at each start, and the epoch grows each time the sender
 * has used up a volume of sequence numbers (a rekey without a message). The receiver's session
 * (published by gossip) is mixed into the key, so a restarted receiver, whose replay windows are
 * gone, accepts nothing captured before its restart.
 */
public final class KeySchedule {
  public static final int SESSIONS = 1 << 16;
  public static final int EPOCHS = 1 << 10;
  private static final byte[] LABEL = "cnm overlay esp v1".getBytes(StandardCharsets.US_ASCII);

  private KeySchedule() {}

  public static int spi(byte[] master, int senderSession, int epoch) {
    if (senderSession < 0 || senderSession >= SESSIONS || epoch < 0 || epoch >= EPOCHS) {
      throw new IllegalArgumentException("session " + senderSession + " or epoch " + epoch + " out of range");
    }
    return 0x8000_0000 | (tag(master) << 26) | (senderSession << 10) | epoch;
  }

  public static int tag(byte[] master) {
    try {
      return (MessageDigest.getInstance("SHA-256").digest(master)[0] & 0xFF) >>> 3;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static int tagOf(int spi) {
    return (spi >>> 26) & 0x1F;
  }

  public static int sessionOf(int spi) {
    return (spi >>> 10) & 0xFFFF;
  }

  public static int epochOf(int spi) {
    return spi & 0x3FF;
  }

  /** The association {@code src} sends to {@code dst} under: AES-256-GCM key and salt. */
  public static SecurityAssociation association(byte[] master, int spi, IpAddress src, IpAddress dst, int receiverSession) {
    return new SecurityAssociation(spi, keymat(master, spi, src, dst, receiverSession));
  }

  /** The association's key material: the AES-256 key and the 4-byte salt, as the kernel's rfc4106(gcm(aes)) takes it. */
  public static byte[] keymat(byte[] master, int spi, IpAddress src, IpAddress dst, int receiverSession) {
    byte[] info = ByteBuffer.allocate(4 + 16 + 16 + 4).putInt(spi).put(padded(src)).put(padded(dst)).putInt(receiverSession).array();
    return hkdf(LABEL, master, info, 36);
  }

  private static byte[] padded(IpAddress a) {
    byte[] b = new byte[16];
    byte[] raw = a.bytes();
    System.arraycopy(raw, 0, b, 16 - raw.length, raw.length);
    return b;
  }

  /** RFC 5869 HKDF with SHA-256 (ours uses the label as salt). */
  static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      int done = 0;
      for (int i = 1; done < length; i++) {
        mac.update(t);
        mac.update(info);
        mac.update((byte) i);
        t = mac.doFinal();
        int n = Math.min(t.length, length - done);
        System.arraycopy(t, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
