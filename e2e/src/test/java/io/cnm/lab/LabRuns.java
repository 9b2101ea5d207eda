package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.daemon.netns.NetNamespace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the multi-node lab tests share: applying objects, working inside a lab namespace, waiting
 * for a condition, and taking the lab down with its daemons' logs kept.
 */
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

  /** A lab test's end: its client closed, then the lab down as {@link #down} (either may never have been made). */
  static void close(KubernetesClient client, CnmLab lab, Path state, String name) throws Exception {
    if (client != null) {
      client.close();
    }
    if (lab != null) {
      down(lab, state, name);
    }
  }

  /** Runs {@code work} inside the lab namespace cnmlab-NAME (a sandbox, a node, or the underlay). */
  static <T> T in(String name, Callable<T> work) {
    try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + name)) {
      return ns.run(work);
    }
  }

  /** Polls every 250 ms until the condition holds; fails naming what did not happen within the time. */
  static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      Thread.sleep(250);
    }
  }

  /** A CnmEndpoint (YAML document) of the lab's sandbox cnmlab-NAME on a node. */
  static String endpoint(String name, String network, String node) {
    return "---\napiVersion: cnm.io/v1alpha1\nkind: CnmEndpoint\nmetadata: {name: " + name + "}\nspec:\n  network: " + network
        + "\n  sandbox: {nodeName: " + node + ", netnsPath: /run/netns/cnmlab-" + name + "}\n";
  }

  /** Skips the calling test, saying why, where a lab cannot come up: not root, the node-daemon not built, a lab already up. */
  static void assumeLabCanStart() throws Exception {
    assume("root".equals(System.getProperty("user.name")), "the lab needs root to create network namespaces; skipped");
    assume(Files.exists(LabDemoTest.HOME.resolve(CnmLab.DAEMON_JAR)), "node-daemon is not built; skipped");
    assume(!LabDemoTest.labNamespacesExist(), "a cnm-lab is already up on this machine (cnm-lab down first); skipped");
  }

  /**
   * An assumption whose reason is printed with the test class when it does not hold: a class
   * skipped in its {@code @BeforeAll} shows in Maven's counts only as a class with no tests.
   */
  static void assume(boolean holds, String why) {
    if (!holds) {
      String who = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
          .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass).filter(c -> c != LabRuns.class).findFirst())
          .map(Class::getSimpleName).orElse("?");
      System.err.println("[skipped] " + who + ": " + why);
    }
    assumeTrue(holds, why);
  }

  /** The lab's CnmEndpoint of that name (namespace default), or null. */
  static CnmEndpoint endpointNamed(KubernetesClient client, String name) {
    return client.resources(CnmEndpoint.class).inNamespace("default").withName(name).get();
  }

  /** The endpoint's IPv4 address, without its prefix length. */
  static String ipOf(KubernetesClient client, String name) {
    return endpointNamed(client, name).getStatus().getIpv4Address().split("/")[0];
  }

  /** The endpoint's Realized condition, when it has one. */
  static Optional<Condition> realizedOf(KubernetesClient client, String name) {
    CnmEndpoint e = endpointNamed(client, name);
    return e == null || e.getStatus() == null ? Optional.empty() : Conditions.find(e.getStatus().getConditions(), Conditions.REALIZED);
  }
}
