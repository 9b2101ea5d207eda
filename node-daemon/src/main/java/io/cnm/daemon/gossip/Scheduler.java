package io.cnm.daemon.gossip;

/**
 * Time and the one thread on which all gossip state changes happen. The real one runs on a
 * single-threaded executor; tests use a simulated one that advances time deterministically, so a
 * hundred members and a minute of protocol run in milliseconds and every run is the same.
 */
public interface Scheduler {
  /** Milliseconds on this scheduler's clock. */
  long now();

  /** Runs the task on the gossip thread after the delay; the handle cancels it. */
  Cancellable schedule(long delayMillis, Runnable task);

  /** Runs the task on the gossip thread as soon as possible. */
  default void execute(Runnable task) {
    schedule(0, task);
  }

  /**
   * Runs {@code round} after {@code delayMillis}, and again after each run (the delay is asked
   * anew each time, so it may change) for as long as the round returns true.
   */
  default void repeat(java.util.function.LongSupplier delayMillis, java.util.function.BooleanSupplier round) {
    schedule(delayMillis.getAsLong(), () -> {
      if (round.getAsBoolean()) {
        repeat(delayMillis, round);
      }
    });
  }

  /** A scheduled task that can be called off. */
  interface Cancellable {
    void cancel();
  }
}
