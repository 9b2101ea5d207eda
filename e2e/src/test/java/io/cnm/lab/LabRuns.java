package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** What the multi-node lab tests share: applying objects, and taking the lab down with its daemons' logs kept. */
final class LabRuns {
  private LabRuns() {}

  static void apply(CnmLab lab, Path state, String yaml) throws Exception {
    Path f = Files.createTempFile(state, "objects", ".yaml");
    Files.writeString(f, yaml);
    assertThat(lab.run("apply", "-f", f.toString())).isZero();
  }

  /** Copies the daemons' logs to target/lab-logs/NAME (for a failed run's diagnosis), then downs the lab and checks nothing is left. */
  static void down(CnmLab lab, Path state, String name) throws Exception {
    Path keep = Path.of("target", "lab-logs", name);
    Files.createDirectories(keep);
    try (var logs = Files.list(state)) {
      for (Path l : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
        Files.copy(l, keep.resolve(l.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    lab.run("down");
    assertThat(LabDemoTest.labNamespacesExist()).as("namespaces left by down").isFalse();
  }
}
