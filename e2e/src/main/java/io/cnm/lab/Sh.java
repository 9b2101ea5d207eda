package io.cnm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands the lab runs to build its namespaces and links (lab set-up only; never the daemon's attach path). */
final class Sh {
  private Sh() {}

  static String run(String... cmd) {
    return run(List.of(cmd), true);
  }

  static String run(List<String> cmd, boolean failOnError) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new LabException(String.join(" ", cmd) + ": timed out");
      }
      if (failOnError && p.exitValue() != 0) {
        throw new LabException(String.join(" ", cmd) + ": " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new LabException(cmd.get(0) + " cannot be run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted");
    }
  }
}
