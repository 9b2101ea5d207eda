package io.cnm.daemon.esp;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-GCM through the JDK's provider: where libcrypto cannot be loaded. */
final class JdkGcm implements Gcm {
  private final SecretKeySpec key;
  /** Made once: Cipher.getInstance per packet cost more than the sealing. */
  private final Cipher cipher;

  JdkGcm(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
    try {
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e, e);
    }
  }

  @Override
  public void seal(byte[] nonce, byte[] buf, int aadOff, int aadLen, int off, int len) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
      cipher.updateAAD(buf, aadOff, aadLen);
      cipher.doFinal(buf, off, len, buf, off);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e, e);
    }
  }

  @Override
  public boolean open(byte[] nonce, byte[] in, int aadOff, int aadLen, int off, int len, byte[] out) {
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
      cipher.updateAAD(in, aadOff, aadLen);
      cipher.doFinal(in, off, len, out, 0);
      return true;
    } catch (AEADBadTagException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e, e);
    }
  }
}
