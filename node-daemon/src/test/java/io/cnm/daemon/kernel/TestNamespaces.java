package io.cnm.daemon.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway network namespaces for kernel tests: named {@code cnmtest-<run>-<name>}, created with
 * {@code ip netns add} (test setup may use iproute2; the code under test never does) and always
 * deleted in {@link #close()}, which tests call from @AfterEach so a failure cleans up too.
 * Tests touch nothing outside the namespaces they made.
 */
public final class TestNamespaces implements AutoCloseable {
  public static final String PREFIX = "cnmtest-";

  private final String run = UUID.randomUUID().toString().substring(0, 6);
  private final List<String> names = new ArrayList<>();
  private final List<NetNamespace> open = new ArrayList<>();

  /** Skips the calling test, saying why, where it cannot run (not root, or no iproute2). */
  public static void assumeKernelTestsCanRun() {
    assumeTrue("root".equals(System.getProperty("user.name")), "kernel tests need root to create network namespaces; skipped");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")) || Files.isExecutable(Path.of("/usr/bin/ip")),
        "kernel tests need iproute2 (ip) to create test namespaces; skipped");
  }

  /** Whether a tool is on PATH (a test that needs it skips, saying so, where it is not). */
  public static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  /** A new namespace with loopback up; returns it opened. */
  public NetNamespace create(String name) {
    String full = PREFIX + run + "-" + name;
    sh("ip", "netns", "add", full);
    names.add(full);
    sh("ip", "-n", full, "link", "set", "lo", "up");
    NetNamespace ns = NetNamespace.open("/run/netns/" + full);
    open.add(ns);
    return ns;
  }

  /** Deletes a namespace's name now (as `ip netns del` would by someone else): it is gone from /run/netns. */
  public void delete(String name) {
    String full = fullName(name);
    sh("ip", "netns", "del", full);
    names.remove(full);
  }

  public String fullName(String name) {
    return PREFIX + run + "-" + name;
  }

  /** Runs a command (test setup and inspection only); fails the test on a non-zero exit. */
  public static String sh(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    open.forEach(NetNamespace::close);
    for (String n : names) {
      try {
        sh("ip", "netns", "del", n);
      } catch (RuntimeException e) {
        System.err.println("could not delete test namespace " + n + ": " + e.getMessage());
      }
    }
  }
}
