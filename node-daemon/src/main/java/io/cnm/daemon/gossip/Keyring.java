package io.cnm.daemon.gossip;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of every gossip message (AES-GCM, 128-bit tag) with a ring of up to
 * three keys, as memberlist's keyring: the primary seals, every key opens, so a key can be
 * rotated in (added, then made primary, then the old one removed) without a partition. A sealed
 * message is {@code version(1) keyId(8) nonce(12) ciphertext+tag}; the key ID (the first 8 bytes
 * of the key's SHA-256) picks the key directly. A message under an unknown key or with a bad tag
 * is dropped and counted.
 */
public final class Keyring {
  static final byte VERSION = 1;
  public static final int MAX_KEYS = 3;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random = new SecureRandom();
  private volatile List<byte[]> keys;
  private final AtomicLong unknownKey = new AtomicLong();
  private final AtomicLong forged = new AtomicLong();

  /** @param keys the primary first; each 16, 24 or 32 bytes */
  public Keyring(List<byte[]> keys) {
    setKeys(keys);
    // The first AES-GCM use initialises the JCE provider (hundreds of ms): pay it here, not in a probe's ack.
    open(seal(new byte[1]));
  }

  /** Replaces the ring (the primary first): how a rotation from the operator's Secret arrives. */
  public void setKeys(List<byte[]> keys) {
    if (keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("a gossip keyring holds 1 to " + MAX_KEYS + " keys, not " + keys.size());
    }
    for (byte[] k : keys) {
      if (k.length != 16 && k.length != 24 && k.length != 32) {
        throw new IllegalArgumentException("a gossip key is 16, 24 or 32 bytes, not " + k.length);
      }
    }
    this.keys = List.copyOf(new ArrayList<>(keys));
  }

  public byte[] seal(byte[] plain) {
    byte[] key = keys.get(0);
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      byte[] header = ByteBuffer.allocate(1 + 8 + NONCE).put(VERSION).put(keyId(key)).put(nonce).array();
      c.updateAAD(header, 0, 9);
      byte[] ct = c.doFinal(plain);
      return ByteBuffer.allocate(header.length + ct.length).put(header).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The plaintext, or null when the message is not ours (unknown key, forged, truncated): counted. */
  public byte[] open(byte[] sealed) {
    if (sealed.length < 1 + 8 + NONCE + TAG_BITS / 8 || sealed[0] != VERSION) {
      forged.incrementAndGet();
      return null;
    }
    byte[] id = Arrays.copyOfRange(sealed, 1, 9);
    byte[] key = keys.stream().filter(k -> Arrays.equals(keyId(k), id)).findFirst().orElse(null);
    if (key == null) {
      unknownKey.incrementAndGet();
      return null;
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, sealed, 9, NONCE));
      c.updateAAD(sealed, 0, 9);
      return c.doFinal(sealed, 9 + NONCE, sealed.length - 9 - NONCE);
    } catch (GeneralSecurityException e) {
      forged.incrementAndGet();
      return null;
    }
  }

  /** Messages dropped because no key of the ring has their key ID. */
  public long unknownKeyDrops() {
    return unknownKey.get();
  }

  /** Messages dropped because they failed authentication (forged, corrupted, truncated). */
  public long forgedDrops() {
    return forged.get();
  }

  static byte[] keyId(byte[] key) {
    try {
      return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key), 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
