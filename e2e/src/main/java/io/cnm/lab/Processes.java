package io.cnm.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The lab's background processes: started detached with a log in the state directory, their pids kept for down. */
final class Processes {
  private final Path state;

  Processes(Path state) {
    this.state = state;
  }

  void start(String name, List<String> cmd, Map<String, String> env) {
    try {
      Files.createDirectories(state.resolve("pids"));
      // Appended, so a restarted daemon's log follows the previous one's (both matter after a crash).
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolve(name + ".log").toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      Files.writeString(state.resolve("pids").resolve(name), String.valueOf(p.pid()));
    } catch (IOException e) {
      throw new LabException("cannot start " + name + ": " + e.getMessage());
    }
  }

  /** Whether the process started under this name still runs. */
  boolean alive(String name) {
    try {
      Path f = state.resolve("pids").resolve(name);
      return Files.exists(f) && ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /** Stops every recorded process (and its children): SIGTERM, then SIGKILL after 5 s. */
  void stopAll() {
    Path dir = state.resolve("pids");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<ProcessHandle> handles = files.map(f -> {
        try {
          return ProcessHandle.of(Long.parseLong(Files.readString(f).trim()));
        } catch (IOException | NumberFormatException e) {
          return java.util.Optional.<ProcessHandle>empty();
        }
      }).flatMap(java.util.Optional::stream).toList();
      for (ProcessHandle h : handles) {
        h.descendants().forEach(ProcessHandle::destroy);
        h.destroy();
      }
      long deadline = System.currentTimeMillis() + 5000;
      for (ProcessHandle h : handles) {
        while (h.isAlive() && System.currentTimeMillis() < deadline) {
          CnmLab.sleep(50);
        }
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      }
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }
}
