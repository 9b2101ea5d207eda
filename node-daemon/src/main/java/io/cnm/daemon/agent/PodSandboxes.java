package io.cnm.daemon.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a pod's network namespace from its UID through the host's /proc: any process of the pod
 * (its pause container included) has the pod UID in its cgroup path (with '-' for the cgroupfs
 * driver, '_' for systemd's), and /proc/PID/ns/net is the pod's sandbox.
 */
public final class PodSandboxes {
  private final Path proc;

  public PodSandboxes(Path proc) {
    this.proc = proc;
  }

  public Optional<String> netnsOf(String podUid) {
    if (podUid == null) {
      return Optional.empty();
    }
    String dashed = podUid;
    String underscored = podUid.replace('-', '_');
    try (Stream<Path> entries = Files.list(proc)) {
      return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> {
            try {
              String cg = Files.readString(p.resolve("cgroup"));
              return cg.contains(dashed) || cg.contains(underscored);
            } catch (IOException e) {
              return false; // the process ended while we looked
            }
          })
          .map(p -> p.resolve("ns/net").toString())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
