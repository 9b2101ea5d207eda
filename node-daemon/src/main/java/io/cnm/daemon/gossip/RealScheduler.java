package io.cnm.daemon.gossip;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The production {@link Scheduler}: one daemon thread, wall-clock time. */
public final class RealScheduler implements Scheduler, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RealScheduler.class);
  private final ScheduledExecutorService exec;

  public RealScheduler(String name) {
    exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public long now() {
    return System.nanoTime() / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warnf(e, "gossip task failed");
      }
    };
    try {
      ScheduledFuture<?> f = exec.schedule(guarded, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException e) {
      return () -> { }; // stopping: a timer set now has nothing left to do
    }
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
