package io.cnm.plugin.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A protocol-strict Docker plugin for tests (testplugin.py, run by python3 as its own process, in
 * a network namespace when one is given): its calls are logged, its state survives a kill, so a
 * test can assert libnetwork's call sequence and that nothing leaked.
 */
public final class TestPlugin implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> command;
  private final Path log;
  private final Path state;
  private Process process;

  private TestPlugin(List<String> command, Path log, Path state) {
    this.command = command;
    this.log = log;
    this.state = state;
  }

  /** Skips the calling test, saying why, where python3 is missing. */
  public static void assumePython() {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      found |= Files.isExecutable(Path.of(dir, "python3"));
    }
    assumeTrue(found, "the test plugins run on python3, which is not installed; skipped");
  }

  /** Starts a plugin. {@code where} is "unix:PATH" or "tcp:PORT"; {@code netns} a named namespace or null. */
  public static TestPlugin start(String kind, Path workDir, String where, String netns, String... extra) {
    try {
      Files.createDirectories(workDir);
      Path script = workDir.resolve("testplugin.py");
      try (InputStream in = TestPlugin.class.getResourceAsStream("testplugin.py")) {
        Files.write(script, in.readAllBytes());
      }
      String tag = kind + "-" + where.replaceAll("[^A-Za-z0-9]", "_");
      Path log = workDir.resolve(tag + ".log");
      Path state = workDir.resolve(tag + ".state");
      List<String> cmd = new ArrayList<>();
      if (netns != null) {
        cmd.addAll(List.of("ip", "netns", "exec", netns));
      }
      cmd.addAll(List.of("python3", script.toString(), "--kind", kind, "--log", log.toString(), "--state", state.toString()));
      cmd.addAll(where.startsWith("unix:") ? List.of("--socket", where.substring(5)) : List.of("--tcp", where.substring(4)));
      cmd.addAll(List.of(extra));
      TestPlugin p = new TestPlugin(List.copyOf(cmd), log, state);
      p.launch();
      return p;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void launch() {
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(20, TimeUnit.SECONDS);
      if (!"ready".equals(first)) {
        String rest = first + "\n" + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        throw new IllegalStateException("test plugin did not start: " + rest);
      }
      Thread drain = new Thread(() -> {
        try {
          while (out.readLine() != null) {
            // keep the pipe open and empty
          }
        } catch (IOException ignored) {
          // the plugin went away
        }
      }, "test-plugin-output");
      drain.setDaemon(true);
      drain.start();
    } catch (Exception e) {
      throw new IllegalStateException("test plugin " + command + ": " + e.getMessage(), e);
    }
  }

  /** One logged call: "NetworkDriver.CreateNetwork" and its request. */
  public record Call(String call, JsonNode request) {}

  public List<Call> calls() {
    List<Call> out = new ArrayList<>();
    try {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          JsonNode n = JSON.readTree(line);
          out.add(new Call(n.get("call").asText(), n.get("request")));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** The names of the calls made, in order, without the kind ("CreateNetwork", "Plugin.Activate" as is). */
  public List<String> callNames() {
    return calls().stream().map(c -> c.call().startsWith("Plugin.") ? c.call() : c.call().substring(c.call().indexOf('.') + 1)).toList();
  }

  /** What the plugin holds now: networks, endpoints (network driver), pools with their addresses (IPAM). */
  public JsonNode state() {
    try {
      return Files.exists(state) ? JSON.readTree(state.toFile()) : JSON.readTree("{\"networks\":{},\"endpoints\":{},\"pools\":{}}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Forgets the calls logged so far. */
  public void clearLog() {
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: the socket file stays behind, as after a crash. */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the same plugin again, with the state it had. */
  public void restart() {
    kill();
    launch();
  }

  @Override
  public void close() {
    kill();
  }
}
