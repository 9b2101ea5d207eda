package io.cnm.daemon.esp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.Arrays;

/**
 * AES-GCM through OpenSSL's libcrypto (EVP), mapped directly by JNA: about 3 µs to seal a
 * 1,400-byte packet whatever the JIT compiler. One EVP context per key, its key schedule made
 * once; each packet sets its nonce, adds the AAD, runs the data through a native buffer, and sets
 * or reads the tag. The context is freed when this object is collected.
 */
final class LibcryptoGcm implements Gcm {
  private static final int CTRL_GCM_GET_TAG = 0x10;
  private static final int CTRL_GCM_SET_TAG = 0x11;
  private static final int NONCE = 12;

  /** Why libcrypto is not used on this node (not found, or its output differs from the JDK's); null when it is. */
  static final String UNAVAILABLE;
  /** The library's own version line, when it is used. */
  static final String VERSION;
  private static final Cleaner CLEANER;
  /** EVP contexts made and not yet freed. */
  static final java.util.concurrent.atomic.AtomicLong LIVE = new java.util.concurrent.atomic.AtomicLong();

  static {
    String why = Lib.load();
    CLEANER = why != null ? null : Cleaner.create(r -> {
      Thread t = new Thread(r, "cnm-gcm-free");
      t.setDaemon(true);
      return t;
    });
    String version = null;
    if (why == null) {
      try {
        version = Lib.OpenSSL_version(0);
        why = selfTest();
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        why = "libcrypto failed its first use: " + e;
      }
    }
    UNAVAILABLE = why;
    VERSION = version;
  }

  /** The EVP calls, registered on the versioned library name a runtime image has (no -dev symlink there). */
  static final class Lib {
    private Lib() {}

    static String load() {
      UnsatisfiedLinkError last = null;
      for (String name : new String[] {"libcrypto.so.3", "crypto"}) {
        try {
          Native.register(Lib.class, NativeLibrary.getInstance(name));
          return null;
        } catch (UnsatisfiedLinkError e) {
          last = e;
        }
      }
      return "libcrypto.so.3 could not be loaded (Debian's libssl3): " + last.getMessage();
    }

    static native String OpenSSL_version(int type);

    static native Pointer EVP_aes_128_gcm();

    static native Pointer EVP_aes_192_gcm();

    static native Pointer EVP_aes_256_gcm();

    static native Pointer EVP_CIPHER_CTX_new();

    static native void EVP_CIPHER_CTX_free(Pointer ctx);

    static native int EVP_CipherInit_ex(Pointer ctx, Pointer cipher, Pointer engine, Pointer key, Pointer iv, int enc);

    static native int EVP_CipherUpdate(Pointer ctx, Pointer out, Pointer outl, Pointer in, int inl);

    static native int EVP_CipherFinal_ex(Pointer ctx, Pointer out, Pointer outl);

    static native int EVP_CIPHER_CTX_ctrl(Pointer ctx, int type, int arg, Pointer ptr);
  }

  /** Seals and opens one vector both ways and compares with the JDK's bytes: a library that differs is not used. */
  private static String selfTest() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[NONCE];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i * 7 + 1);
    }
    nonce[3] = 9;
    byte[] a = new byte[8 + 100 + TAG];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) i;
    }
    byte[] b = a.clone();
    new LibcryptoGcm(key).seal(nonce, a, 0, 8, 8, 100);
    new JdkGcm(key).seal(nonce, b, 0, 8, 8, 100);
    byte[] back = new byte[100];
    if (!Arrays.equals(a, b) || !new LibcryptoGcm(key).open(nonce, b, 0, 8, 8, 100 + TAG, back)) {
      return "libcrypto's AES-GCM did not give the JDK's bytes";
    }
    return null;
  }

  private final Pointer ctx;
  private final Memory nonceBuf = new Memory(NONCE);
  private final Memory aadBuf = new Memory(64);
  private final Memory tagBuf = new Memory(TAG);
  private final Memory outl = new Memory(4);
  private Memory data = new Memory(2048);

  LibcryptoGcm(byte[] key) {
    Pointer cipher = switch (key.length) {
      case 16 -> Lib.EVP_aes_128_gcm();
      case 24 -> Lib.EVP_aes_192_gcm();
      case 32 -> Lib.EVP_aes_256_gcm();
      default -> throw new IllegalArgumentException("AES keys are 16, 24 or 32 bytes, not " + key.length);
    };
    Pointer c = Lib.EVP_CIPHER_CTX_new();
    if (c == null) {
      throw new IllegalStateException("libcrypto: EVP_CIPHER_CTX_new failed");
    }
    ctx = c;
    LIVE.incrementAndGet();
    CLEANER.register(this, () -> {
      Lib.EVP_CIPHER_CTX_free(c);
      LIVE.decrementAndGet();
    });
    Memory k = new Memory(key.length);
    k.write(0, key, 0, key.length);
    check(Lib.EVP_CipherInit_ex(ctx, cipher, null, k, null, 1), "EVP_CipherInit_ex (key)");
    k.clear();
  }

  @Override
  public void seal(byte[] nonce, byte[] buf, int aadOff, int aadLen, int off, int len) {
    Memory d = data(len);
    d.write(0, buf, off, len);
    begin(nonce, buf, aadOff, aadLen, 1);
    check(Lib.EVP_CipherUpdate(ctx, d, outl, d, len), "EVP_CipherUpdate");
    check(Lib.EVP_CipherFinal_ex(ctx, tagBuf, outl), "EVP_CipherFinal_ex"); // GCM writes nothing here
    check(Lib.EVP_CIPHER_CTX_ctrl(ctx, CTRL_GCM_GET_TAG, TAG, tagBuf), "EVP_CTRL_GCM_GET_TAG");
    d.read(0, buf, off, len);
    tagBuf.read(0, buf, off + len, TAG);
  }

  @Override
  public boolean open(byte[] nonce, byte[] in, int aadOff, int aadLen, int off, int len, byte[] out) {
    int n = len - TAG;
    if (n < 0) {
      return false;
    }
    Memory d = data(n);
    d.write(0, in, off, n);
    tagBuf.write(0, in, off + n, TAG);
    begin(nonce, in, aadOff, aadLen, 0);
    check(Lib.EVP_CipherUpdate(ctx, d, outl, d, n), "EVP_CipherUpdate");
    check(Lib.EVP_CIPHER_CTX_ctrl(ctx, CTRL_GCM_SET_TAG, TAG, tagBuf), "EVP_CTRL_GCM_SET_TAG");
    if (Lib.EVP_CipherFinal_ex(ctx, tagBuf, outl) <= 0) {
      return false; // the tag did not verify
    }
    d.read(0, out, 0, n);
    return true;
  }

  /** A new nonce (the key stays) and the AAD, for sealing ({@code enc} 1) or opening (0). */
  private void begin(byte[] nonce, byte[] buf, int aadOff, int aadLen, int enc) {
    if (nonce.length != NONCE || aadLen > aadBuf.size()) {
      throw new IllegalArgumentException("a 12-byte nonce and at most 64 bytes of AAD, not " + nonce.length + " and " + aadLen);
    }
    nonceBuf.write(0, nonce, 0, NONCE);
    aadBuf.write(0, buf, aadOff, aadLen);
    check(Lib.EVP_CipherInit_ex(ctx, null, null, null, nonceBuf, enc), "EVP_CipherInit_ex (nonce)");
    check(Lib.EVP_CipherUpdate(ctx, null, outl, aadBuf, aadLen), "EVP_CipherUpdate (AAD)");
  }

  private Memory data(int len) {
    if (data.size() < Math.max(len, 1)) {
      data = new Memory(Math.max(len, 2 * data.size()));
    }
    return data;
  }

  private static void check(int rc, String call) {
    if (rc <= 0) {
      throw new IllegalStateException("libcrypto: " + call + " failed");
    }
  }
}
