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
    long[] t = times(pid);
    return (t[0] + t[1]) * 10_000_000L;
  }

  /** The part of {@link #cpuNanos} spent in the kernel (system time), in ns. */
  public static long kernelCpuNanos(long pid) {
    return times(pid)[1] * 10_000_000L;
  }

  /** utime and stime, in clock ticks. */
  private static long[] times(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
