package io.cnm.daemon.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks read of another process in /proc. */
public final class ProcStat {
  private ProcStat() {}

  /** CPU time (user + system) the process has used so far, in ns (clock ticks at USER_HZ 100). */
  public static long cpuNanos(long pid) {
    return times(pid).totalNanos();
  }

  /** A process's CPU time so far, read once: in user space and in the kernel (system time), in ns. */
  public record Times(long userNanos, long kernelNanos) {
    public long totalNanos() {
      return userNanos + kernelNanos;
    }
  }

  /** utime and stime of the process, from one read of its stat file (clock ticks at USER_HZ 100). */
  public static Times times(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new Times(Long.parseLong(f[11]) * 10_000_000L, Long.parseLong(f[12]) * 10_000_000L);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
