package io.cnm.daemon.agent;

import io.cnm.daemon.metrics.DaemonMetrics.PassStage;

/**
 * Where one pass's time went: each {@link #lap} adds the time since the previous one to the stage
 * that just ran, so the stages add up to the whole pass ({@link #total}), however often the pass
 * returns to a stage.
 */
final class PassClock {
  private final long start = System.nanoTime();
  private final long[] nanos = new long[PassStage.values().length];
  private long last = start;

  /** The time since the previous lap (or the start) was spent in {@code stage}. */
  void lap(PassStage stage) {
    long now = System.nanoTime();
    nanos[stage.ordinal()] += now - last;
    last = now;
  }

  long nanos(PassStage stage) {
    return nanos[stage.ordinal()];
  }

  /** From the start to the last lap: the sum of the stages. */
  long total() {
    return last - start;
  }
}
