package io.cnm.daemon.sysctl;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Network sysctls of a namespace (/proc/sys/net is per namespace of the thread that opens it). */
public final class Sysctls {
  private Sysctls() {}

  /** Sets {@code key} (e.g. net/ipv4/ip_forward) to {@code value} if it differs. */
  public static void set(NetNamespace ns, String key, String value) {
    ns.run(() -> {
      Path p = Path.of("/proc/sys", key);
      try {
        if (!Files.readString(p).trim().equals(value)) {
          Files.writeString(p, value);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("sysctl " + key, e);
      }
      return null;
    });
  }
}
