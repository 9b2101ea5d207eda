package io.cnm.daemon.esp;

/**
 * AES-GCM with a 16-byte tag under one key (RFC 5116's AEAD_AES_*_GCM, as ESP uses it in RFC
 * 4106), for one thread at a time. Two implementations give the same bytes: OpenSSL's libcrypto
 * through JNA, which {@link #of} takes when the node has it, and the JDK's provider otherwise.
 *
 * <p>Why not the JDK's alone: the chart runs the daemon on the C1 compiler (its memory target),
 * and C1 has none of the AES-NI and carry-less multiply intrinsics the JDK's AES-GCM relies on:
 * sealing a 1,400-byte packet took about 60 µs there, against about 2 µs on C2 and about 3 µs
 * through libcrypto on either. Through the JDK's, the userspace ESP path moved about a sixth of
 * what it moved on C2 (make bench-encryption).
 */
public interface Gcm {
  /** The tag's length in bytes. */
  int TAG = 16;

  /**
   * Encrypts {@code buf[off, off + len)} in place and writes the tag right after it, at
   * {@code buf[off + len, off + len + TAG)}; the additional authenticated data is
   * {@code buf[aadOff, aadOff + aadLen)}.
   *
   * @param nonce 12 bytes, never used twice under one key
   */
  void seal(byte[] nonce, byte[] buf, int aadOff, int aadLen, int off, int len);

  /**
   * Checks the tag in the last {@link #TAG} bytes of {@code in[off, off + len)} and decrypts what
   * precedes it into {@code out[0, len - TAG)}.
   *
   * @return false when the tag does not verify (nothing useful is in {@code out} then)
   */
  boolean open(byte[] nonce, byte[] in, int aadOff, int aadLen, int off, int len, byte[] out);

  /** AES-GCM under {@code key} (16, 24 or 32 bytes): through libcrypto where the node has it, else the JDK's. */
  static Gcm of(byte[] key) {
    return LibcryptoGcm.UNAVAILABLE == null ? new LibcryptoGcm(key) : new JdkGcm(key);
  }

  /** Which implementation {@link #of} gives on this node, and why, for the daemon's log. */
  static String implementation() {
    return LibcryptoGcm.UNAVAILABLE == null ? "AES-GCM through libcrypto (" + LibcryptoGcm.VERSION + ")"
        : "AES-GCM through the JDK, several times slower on the C1 compiler: " + LibcryptoGcm.UNAVAILABLE;
  }
}
