package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make demo} as a test: the lab is built (underlay 198.19.0.0/24, node1 at 198.19.0.11),
 * the Docker Pets walkthrough runs on the real kernel with the real node-daemon, the page comes
 * through the published port from outside the node, and {@code down} leaves no cnmlab-* namespace.
 */
@Tag("kernel")
class LabDemoTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  static boolean labNamespacesExist() throws Exception {
    Path netns = Path.of("/run/netns");
    if (!Files.isDirectory(netns)) {
      return false;
    }
    try (Stream<Path> s = Files.list(netns)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith(CnmLab.PREFIX));
    }
  }

  @Test
  void demo_printsThePetsPageFetchedThroughThePublishedPort_andDownLeavesNothing() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lab needs root to create network namespaces; skipped");
    assumeTrue(Files.exists(HOME.resolve("node-daemon/target/quarkus-app/quarkus-run.jar")), "node-daemon is not built; skipped");
    assumeTrue(!labNamespacesExist(), "a cnm-lab is already up on this machine (cnm-lab down first); skipped");
    Path state = Files.createTempDirectory("cnm-lab-test");
    CnmLab lab = new CnmLab(state, HOME);
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(lab.run("demo")).isZero();
    } finally {
      System.setOut(out);
      System.out.print(captured.toString(StandardCharsets.UTF_8));
      lab.run("down");
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text).containsPattern("db\\s+pets-bridge\\s+node1\\s+172\\.17\\.0\\.\\d+/16\\s+02:42:ac:11:00:\\w\\w\\s+True\\s+True");
    assertThat(text).contains("found db at 172.17.0.").contains("through the embedded DNS").contains("db counts visit number 1");
    assertThat(labNamespacesExist()).as("namespaces left by down").isFalse();
  }

  @Test
  void badArguments_areAOneLineErrorWithExitCode2() {
    CnmLab lab = new CnmLab(Path.of("/nonexistent-cnm-lab-state"), HOME);
    assertThatThrownBy(() -> lab.run("frobnicate")).isInstanceOfSatisfying(LabException.class, e -> assertThat(e.exitCode).isEqualTo(2));
    assertThatThrownBy(() -> lab.run("up", "--nodes", "many")).isInstanceOfSatisfying(LabException.class,
        e -> assertThat(e.exitCode).isEqualTo(2));
    assertThatThrownBy(() -> lab.run("get", "pods")).isInstanceOfSatisfying(LabException.class, e -> {
      assertThat(e.exitCode).isEqualTo(1);
      assertThat(e.getMessage()).contains("not up");
    });
    assertThatThrownBy(() -> lab.run("exec", "web")).isInstanceOfSatisfying(LabException.class, e -> assertThat(e.exitCode).isEqualTo(2));
  }
}
