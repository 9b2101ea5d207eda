package io.cnm.daemon.agent;

/**
 * How long the agent waits before trying again after a pass that left something failing:
 * doubling from {@code initialMillis} with every such pass in a row, up to {@code maxMillis},
 * back to the start after a pass with nothing failing.
 */
final class RetryBackoff {
  private final long initialMillis;
  private final long maxMillis;
  private int failedInARow;

  RetryBackoff(long initialMillis, long maxMillis) {
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
  }

  /** A pass left something failing: the delay before the next attempt. */
  synchronized long failed() {
    failedInARow++;
    return Math.min(maxMillis, initialMillis << Math.min(20, failedInARow - 1));
  }

  synchronized void succeeded() {
    failedInARow = 0;
  }
}
