package io.cnm.daemon.gossip;

/**
 * The protocol's timer maths as pure functions (memberlist's util.go and Lifeguard's papers),
 * table-tested.
 */
public final class Timers {
  private Timers() {}

  /** How many times a broadcast is sent: mult · ⌈log10(n + 1)⌉ (memberlist's retransmitLimit). */
  public static int retransmitLimit(int mult, int n) {
    return mult * (int) Math.ceil(Math.log10(n + 1.0));
  }

  /** The suspicion timeout's floor: mult · max(1, log10(n)) · probe interval (memberlist's suspicionTimeout). */
  public static long suspicionTimeout(int mult, int n, long intervalMillis) {
    double scale = Math.max(1.0, Math.log10(Math.max(1.0, n)));
    return (long) (mult * scale * intervalMillis);
  }

  /**
   * Lifeguard's shrinking suspicion: starts at {@code max} and falls towards {@code min} as
   * independent confirmations arrive, reaching it at {@code k} confirmations:
   * max − (max − min) · log(c + 1) / log(k + 1), never below min. With k = 0 it is min.
   */
  public static long suspicionTimeout(int confirmations, int k, long minMillis, long maxMillis) {
    if (k < 1) {
      return minMillis;
    }
    double frac = Math.log(confirmations + 1.0) / Math.log(k + 1.0);
    long raw = (long) Math.floor(maxMillis - frac * (maxMillis - minMillis));
    return Math.max(raw, minMillis);
  }

  /** Lifeguard's local health: a timeout scaled by (score + 1), so an overloaded member waits longer before accusing. */
  public static long scaled(long millis, int healthScore) {
    return millis * (healthScore + 1);
  }
}
