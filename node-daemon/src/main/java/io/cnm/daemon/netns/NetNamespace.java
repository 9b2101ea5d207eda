package io.cnm.daemon.netns;

import io.cnm.daemon.netlink.LibC;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;

/**
 * An open network namespace (a file descriptor on /proc/PID/ns/net or /run/netns/NAME). Work that
 * must happen inside it (creating a netlink or UDP socket there) runs on a pooled platform worker
 * that joins the namespace with setns(2) and returns to its home namespace (the daemon's) before
 * it takes other work; a worker that could not return ends instead, so no task ever runs in a
 * foreign namespace by accident. Sockets created inside keep acting in the namespace. Workers
 * are created by callers outside any hop, so their home is always the daemon's namespace.
 */
public final class NetNamespace implements AutoCloseable {
  private final String path;
  private final int fd;

  private NetNamespace(String path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /** Opens a namespace by path, e.g. /run/netns/db or /proc/1234/ns/net. */
  public static NetNamespace open(String path) {
    return new NetNamespace(path, LibC.INSTANCE.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC));
  }

  /** The namespace of the calling thread. */
  public static NetNamespace current() {
    return open("/proc/thread-self/ns/net");
  }

  public int fd() {
    return fd;
  }

  public String path() {
    return path;
  }

  /** The worker's home namespace (where it returns after each hop); set when the worker starts. */
  private static final ThreadLocal<Integer> HOME = new ThreadLocal<>();
  private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(() -> {
      HOME.set(LibC.INSTANCE.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC));
      r.run();
    }, "netns-hop");
    t.setDaemon(true);
    return t;
  });

  private static volatile long timeoutMillis = 30_000;

  /** The longest a piece of work in a namespace may take before the caller gives up on it (30 s). */
  public static void setTimeout(long millis) {
    timeoutMillis = millis;
  }

  /** Runs {@code work} inside this namespace (on a pooled worker) and returns its result, or fails after the timeout. */
  public <T> T run(Callable<T> work) {
    if (HOME.get() != null) {
      // A hop inside a hop: switch on this worker and come back to the outer hop's namespace.
      int outer = LibC.INSTANCE.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
      try {
        return inline(work, outer);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("in network namespace " + path + ": " + e.getMessage(), e);
      } finally {
        LibC.INSTANCE.close(outer);
      }
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    WORKERS.execute(() -> {
      boolean home;
      try {
        result.complete(inline(work, HOME.get()));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
      home = returnedHome();
      if (!home) {
        // Never let this thread take other work in a foreign namespace: end it (the pool replaces it).
        throw new IllegalStateException("netns worker could not return to its home namespace");
      }
    });
    try {
      return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The worker may stay stuck in the kernel; the caller goes on (and reports it), it does not hang with it.
      throw new IllegalStateException("work in network namespace " + path + " did not finish within " + timeoutMillis + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while working in " + path, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("in network namespace " + path + ": " + cause.getMessage(), cause);
    }
  }

  private <T> T inline(Callable<T> work, int home) throws Exception {
    LibC.INSTANCE.setns(fd, LibC.CLONE_NEWNET);
    try {
      return work.call();
    } finally {
      try {
        LibC.INSTANCE.setns(home, LibC.CLONE_NEWNET);
        RETURNED.set(true);
      } catch (RuntimeException e) {
        RETURNED.set(false);
      }
    }
  }

  private static final ThreadLocal<Boolean> RETURNED = ThreadLocal.withInitial(() -> true);

  private static boolean returnedHome() {
    return RETURNED.get();
  }

  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
  }

  @Override
  public String toString() {
    return path;
  }
}
