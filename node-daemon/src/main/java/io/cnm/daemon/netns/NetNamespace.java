package io.cnm.daemon.netns;

import io.cnm.daemon.netlink.LibC;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * An open network namespace (a file descriptor on /proc/PID/ns/net or /run/netns/NAME). Work that
 * must happen inside it (creating a netlink or UDP socket there) runs on a fresh platform thread
 * that joins the namespace with setns(2) and then ends, so no other task ever runs inside by
 * accident and no thread is left behind. Sockets created there keep acting in the namespace.
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

  /** Runs {@code work} on a new platform thread inside this namespace and returns its result. */
  public <T> T run(Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(() -> {
      LibC.INSTANCE.setns(fd, LibC.CLONE_NEWNET);
      return work.call();
    });
    Thread t = new Thread(task, "netns-" + path);
    t.setDaemon(true);
    t.start();
    try {
      return task.get();
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

  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
  }

  @Override
  public String toString() {
    return path;
  }
}
