package io.cnm.daemon.esp;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of an ESP tunnel between two nodes: its SPI and its AES-GCM key material (RFC 4106:
 * the AES key followed by a 4-byte salt). The sender side hands out sequence numbers; ESP's is 32
 * bits (no extended sequence numbers), so a sender stops at {@link #SEQ_LIMIT} and must be
 * replaced by a new association (a rekey) well before: Docker's tunnels died when theirs ran out.
 */
public final class SecurityAssociation {
  /** The last sequence number a sender may use; the counter never wraps. */
  public static final long SEQ_LIMIT = 0xFFFF_FFFFL;

  private final int spi;
  private final byte[] key;
  private final byte[] salt;
  private final AtomicLong sequence = new AtomicLong();
  /** The association's own AES-GCM: an association is used by one thread (the one sending, or the one receiving). */
  private Gcm gcm;

  /** @param keymat the AES key (16, 24 or 32 bytes) followed by the 4-byte salt */
  public SecurityAssociation(int spi, byte[] keymat) {
    if (keymat.length != 20 && keymat.length != 28 && keymat.length != 36) {
      throw new IllegalArgumentException("AES-GCM key material is a 16, 24 or 32 byte key and a 4 byte salt, not " + keymat.length + " bytes");
    }
    if (Integer.compareUnsigned(spi, 256) < 0) {
      throw new IllegalArgumentException("SPIs 0-255 are reserved (RFC 4303 2.1), got " + Integer.toUnsignedString(spi));
    }
    this.spi = spi;
    this.key = Arrays.copyOf(keymat, keymat.length - 4);
    this.salt = Arrays.copyOfRange(keymat, keymat.length - 4, keymat.length);
  }

  public int spi() {
    return spi;
  }

  /** The AES key (without the salt), a copy: the packets go through {@link #gcm}; tests check the key schedule with it. */
  byte[] key() {
    return key.clone();
  }

  /** AES-GCM under this association's key, made at its first packet (an association tried once and dropped makes none). */
  Gcm gcm() {
    if (gcm == null) {
      gcm = Gcm.of(key);
    }
    return gcm;
  }

  byte[] salt() {
    return salt;
  }

  /** The next sequence number to send (the first is 1), or -1 once the association is used up. */
  long nextSequence() {
    long s = sequence.incrementAndGet();
    return s > SEQ_LIMIT ? -1 : s;
  }

  /** Sequence numbers sent so far: the rekey threshold is checked against this. */
  public long sent() {
    return Math.min(sequence.get(), SEQ_LIMIT);
  }
}
