package io.cnm.daemon.agent;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The agent's log of what keeps failing, and when to try each again. A failure that repeats is
 * one line, not a stack trace per pass: a problem is logged when it first appears and when its
 * message changes; while it repeats, once more every {@link #REPEAT_MILLIS} with how many times
 * it failed meanwhile; and once when it is gone. Each problem is tried again only once its
 * back-off has passed (500 ms, doubling with every failure in a row, at most 30 s), however many
 * passes other changes cause meanwhile. Problems are keyed (an endpoint, the node table...); a
 * pass reports what failed or is still waiting, and {@link #endPass} retires the keys it did not
 * report.
 */
final class ProblemLog {
  static final long REPEAT_MILLIS = 10 * 60_000;
  static final long FIRST_RETRY_MILLIS = 500;
  static final long MAX_RETRY_MILLIS = 30_000;

  /** Where the lines go: the daemon's log, or a test's list. */
  interface Sink {
    void warn(String line, Throwable cause);

    void info(String line);

    static Sink of(Logger log) {
      return new Sink() {
        @Override
        public void warn(String line, Throwable cause) {
          log.warn(line);
          if (cause != null && log.isDebugEnabled()) {
            log.debug(line, cause); // the stack only at DEBUG
          }
        }

        @Override
        public void info(String line) {
          log.info(line);
        }
      };
    }
  }

  private final Sink log;
  private final LongSupplier clock;
  private final Map<String, Problem> open = new HashMap<>();
  private final Set<String> seenThisPass = new HashSet<>();

  private static final class Problem {
    String message;
    long count;
    long lastLogged;
    long nextAttempt;
  }

  ProblemLog(Sink log, LongSupplier millis) {
    this.log = log;
    this.clock = millis;
  }

  /** Something failed this pass; {@code cause} goes to the log (with its stack) only at DEBUG. */
  synchronized void failed(String key, String message, Throwable cause) {
    seenThisPass.add(key);
    long now = clock.getAsLong();
    Problem p = open.get(key);
    if (p == null || !p.message.equals(message)) {
      p = p == null ? new Problem() : p;
      p.message = message;
      p.count = 1;
      p.lastLogged = now;
      p.nextAttempt = now + FIRST_RETRY_MILLIS;
      open.put(key, p);
      log.warn(key + ": " + message, cause);
      return;
    }
    p.count++;
    p.nextAttempt = now + Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(20, p.count - 1));
    if (now - p.lastLogged >= REPEAT_MILLIS) {
      p.lastLogged = now;
      log.warn(key + ": still failing (" + p.count + " times so far): " + message, null);
    }
  }

  /** Whether to try the failing thing again now (its back-off has passed), or at all when it is not failing. */
  synchronized boolean due(String key) {
    Problem p = open.get(key);
    return p == null || clock.getAsLong() >= p.nextAttempt;
  }

  /** Not tried this pass (not due yet): still open, not retired by {@link #endPass}. */
  synchronized void waiting(String key) {
    seenThisPass.add(key);
  }

  /** Milliseconds until the first open problem is due again, or -1 when none is open. */
  synchronized long untilNextDue() {
    long now = clock.getAsLong();
    return open.values().stream().mapToLong(p -> Math.max(0, p.nextAttempt - now)).min().orElse(-1);
  }

  /** Retires every problem not reported since the last call (it did not fail again), logging that it recovered. */
  synchronized void endPass() {
    open.entrySet().removeIf(e -> {
      if (seenThisPass.contains(e.getKey())) {
        return false;
      }
      log.info(e.getKey() + ": recovered (after failing " + e.getValue().count + " time" + (e.getValue().count == 1 ? "" : "s") + ")");
      return true;
    });
    seenThisPass.clear();
  }

  /** A pass that stopped half way: what it did not get to report stays open (it proves nothing recovered). */
  synchronized void abandonPass() {
    seenThisPass.clear();
  }

  /** How many problems are open. */
  synchronized int openProblems() {
    return open.size();
  }
}
