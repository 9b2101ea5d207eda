package io.cnm.daemon.esp;

import java.nio.ByteBuffer;

/**
 * ESP packets with AES-GCM, as RFC 4303 and RFC 4106 lay them out:
 * <pre>
 *   SPI (4) | sequence number (4) | IV (8) | ciphertext of [payload | padding | pad length | next header] | ICV (16)
 * </pre>
 * The nonce is the association's salt followed by the IV; the additional authenticated data is
 * SPI and sequence number. The IV is the sequence number, which never repeats under one key (RFC
 * 4106 3.1 allows a counter). Padding is 1, 2, 3… up to 4-byte alignment of the trailer. An
 * association seals, or opens, on one thread at a time (its cipher is its own).
 */
public final class Esp {
  public static final int HEADER = 8;
  public static final int IV = 8;
  public static final int ICV = 16;
  /** ESP header, IV, the two trailer bytes, at most 3 of padding, and the ICV. */
  public static final int MAX_OVERHEAD = HEADER + IV + 2 + 3 + ICV;

  private Esp() {}

  /** Why a packet was not opened: told apart, so each can be counted. */
  public enum Drop {
    MALFORMED, UNKNOWN_SPI, REPLAY, AUTHENTICATION
  }

  /** A packet that was not opened. */
  public static final class Dropped extends Exception {
    public final Drop why;

    Dropped(Drop why, String message) {
      super(message, null, false, false);
      this.why = why;
    }
  }

  /** What an opened packet carried. */
  public record Opened(int nextHeader, long sequence, byte[] payload) {}

  /**
   * Seals {@code payload} (the bytes after the IP header: for VXLAN, its UDP datagram) into an ESP
   * packet under {@code sa}.
   *
   * @param nextHeader the IP protocol of the payload (17 for UDP)
   * @throws IllegalStateException when the association's sequence numbers are used up (rekey first)
   */
  public static byte[] seal(SecurityAssociation sa, int nextHeader, byte[] payload, int offset, int length) {
    long seq = sa.nextSequence();
    if (seq < 0) {
      throw new IllegalStateException("ESP SA " + Integer.toUnsignedString(sa.spi(), 16) + " has used every sequence number: rekey");
    }
    int pad = (4 - ((length + 2) % 4)) % 4;
    int plain = length + pad + 2;
    byte[] out = new byte[HEADER + IV + plain + ICV];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putInt(sa.spi()).putInt((int) seq).putLong(seq);
    System.arraycopy(payload, offset, out, HEADER + IV, length);
    int p = HEADER + IV + length;
    for (int i = 1; i <= pad; i++) {
      out[p++] = (byte) i;
    }
    out[p++] = (byte) pad;
    out[p] = (byte) nextHeader;
    sa.gcm().seal(nonce(sa.salt(), out, HEADER), out, 0, HEADER, HEADER + IV, plain);
    return out;
  }

  /** The SPI of an ESP packet (its first 4 bytes), to find the inbound association. */
  public static int spi(byte[] packet, int offset) {
    return ByteBuffer.wrap(packet, offset, 4).getInt();
  }

  /**
   * Opens an ESP packet: the replay window is checked before the ICV, and moved only after the
   * ICV verified.
   */
  public static Opened open(SecurityAssociation sa, ReplayWindow window, byte[] packet, int offset, int length) throws Dropped {
    if (length < HEADER + IV + 4 + ICV) {
      throw new Dropped(Drop.MALFORMED, "ESP packet of " + length + " bytes is too short");
    }
    ByteBuffer b = ByteBuffer.wrap(packet, offset, length);
    if (b.getInt() != sa.spi()) {
      throw new Dropped(Drop.UNKNOWN_SPI, "SPI does not match the association");
    }
    long seq = Integer.toUnsignedLong(b.getInt());
    if (!window.check(seq)) {
      throw new Dropped(Drop.REPLAY, "sequence number " + seq + " replayed or too old (highest " + window.highest() + ")");
    }
    int sealed = length - HEADER - IV; // the ciphertext and its ICV
    byte[] plain = new byte[sealed - ICV];
    if (!sa.gcm().open(nonce(sa.salt(), packet, offset + HEADER), packet, offset, HEADER, offset + HEADER + IV, sealed, plain)) {
      throw new Dropped(Drop.AUTHENTICATION, "ICV did not verify");
    }
    int padLength = plain[plain.length - 2] & 0xFF;
    int nextHeader = plain[plain.length - 1] & 0xFF;
    int payload = plain.length - 2 - padLength;
    if (payload < 0) {
      throw new Dropped(Drop.MALFORMED, "pad length " + padLength + " exceeds the packet");
    }
    if (!window.accept(seq)) {
      throw new Dropped(Drop.REPLAY, "sequence number " + seq + " replayed");
    }
    return new Opened(nextHeader, seq, java.util.Arrays.copyOf(plain, payload));
  }

  private static byte[] nonce(byte[] salt, byte[] packet, int ivOffset) {
    byte[] n = new byte[12];
    System.arraycopy(salt, 0, n, 0, 4);
    System.arraycopy(packet, ivOffset, n, 4, IV);
    return n;
  }
}
