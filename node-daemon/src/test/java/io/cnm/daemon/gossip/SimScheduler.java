package io.cnm.daemon.gossip;

import java.util.PriorityQueue;

/**
 * A discrete-event {@link Scheduler}: one virtual clock for every member of a simulated cluster,
 * tasks run in time order (ties in submission order) on the calling thread. With a seeded
 * {@link InMemoryNetwork} a run is the same every time.
 */
final class SimScheduler implements Scheduler {
  private record Task(long at, long seq, Runnable run, boolean[] cancelled) {}

  private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
      : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;

  @Override
  public long now() {
    return now;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    boolean[] cancelled = {false};
    queue.add(new Task(now + Math.max(0, delayMillis), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Runs every task due within the next {@code millis} of virtual time. */
  void runFor(long millis) {
    long end = now + millis;
    while (!queue.isEmpty() && queue.peek().at <= end) {
      Task t = queue.poll();
      now = t.at;
      if (!t.cancelled[0]) {
        t.run.run();
      }
    }
    now = end;
  }

  /** Runs until {@code done} holds, at most {@code millis}; returns the virtual time it took, or -1. */
  long runUntil(java.util.function.BooleanSupplier done, long millis) {
    long start = now;
    long end = now + millis;
    while (!done.getAsBoolean()) {
      if (queue.isEmpty() || queue.peek().at > end) {
        now = end;
        return done.getAsBoolean() ? now - start : -1;
      }
      Task t = queue.poll();
      now = t.at;
      if (!t.cancelled[0]) {
        t.run.run();
      }
    }
    return now - start;
  }
}
