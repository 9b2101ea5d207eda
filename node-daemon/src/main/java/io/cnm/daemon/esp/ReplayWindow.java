package io.cnm.daemon.esp;

/**
 * RFC 4303's anti-replay window (3.4.3, Appendix A2): a packet is accepted once if its sequence
 * number is above the highest seen or within the last {@code size} below it and not seen before.
 * {@link #check} is called before the ICV is verified (a cheap early drop), {@link #accept} only
 * after it verified, so a forged packet cannot move the window. Not thread-safe: one per inbound
 * association, used by its receiving thread.
 */
public final class ReplayWindow {
  private final int size;
  private final long[] bits;
  private long top;

  /** @param size how far below the highest sequence number a late packet is still taken (a multiple of 64) */
  public ReplayWindow(int size) {
    if (size < 64 || size % 64 != 0) {
      throw new IllegalArgumentException("window size must be a positive multiple of 64");
    }
    this.size = size;
    this.bits = new long[size / 64];
  }

  /** Whether {@code seq} could be new: not 0, not too old, not seen. */
  public boolean check(long seq) {
    if (seq == 0) {
      return false;
    }
    if (seq > top) {
      return true;
    }
    if (top - seq >= size) {
      return false;
    }
    return !seen(seq);
  }

  /** Marks {@code seq} seen (after its ICV verified); false if it was a replay after all. */
  public boolean accept(long seq) {
    if (!check(seq)) {
      return false;
    }
    if (seq > top) {
      long shift = seq - top;
      if (shift >= size) {
        java.util.Arrays.fill(bits, 0);
      } else {
        for (long s = top + 1; s < seq; s++) {
          clear(s); // the slots the window slides over start unseen
        }
      }
      top = seq;
      clear(seq);
    }
    set(seq);
    return true;
  }

  public long highest() {
    return top;
  }

  private boolean seen(long seq) {
    int i = (int) (seq % size);
    return (bits[i >>> 6] & (1L << (i & 63))) != 0;
  }

  private void set(long seq) {
    int i = (int) (seq % size);
    bits[i >>> 6] |= 1L << (i & 63);
  }

  private void clear(long seq) {
    int i = (int) (seq % size);
    bits[i >>> 6] &= ~(1L << (i & 63));
  }
}
