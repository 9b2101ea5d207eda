package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image tier: {@code make images} builds both images from Debian packages (byte-for-byte the
 * same archives when built again), and {@code cnm-lab demo --images} passes with the operator and
 * every node-daemon running as those images in podman, the daemons as privileged containers inside
 * their nodes' namespaces. Runs where podman, runc, mmdebstrap and umoci are installed (.ci/run
 * installs them); skipped elsewhere, with the reason.
 */
@Tag("kernel")
class LabImagesTest {
  static final Path HOME = LabDemoTest.HOME;

  @Test
  void imagesBuildReproducibly_andTheDemoPassesRunningThem() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the image tier needs root (mmdebstrap, podman, namespaces); skipped");
    for (String tool : List.of("podman", "runc", "mmdebstrap", "umoci")) {
      assumeTrue(LabImages.onPath(tool), tool + " is not installed (scripts/prereqs.sh images installs it); the image tier is skipped");
    }
    assumeTrue(Files.exists(HOME.resolve("operator/target/quarkus-app/quarkus-run.jar")), "the operator is not built; skipped");
    assumeTrue(!LabDemoTest.labNamespacesExist(), "a cnm-lab is already up on this machine (cnm-lab down first); skipped");

    LabImages images = new LabImages(HOME, Path.of("/nonexistent"));
    build(HOME.resolve("build/images"), Map.of());
    Path again = Files.createTempDirectory("cnm-images");
    build(again, Map.of("CNM_IMAGES_CACHE", HOME.resolve("build/images/cache").toString()));
    for (String c : List.of("operator", "node-daemon")) {
      Path archive = images.archive(c);
      assertThat(sha256(again.resolve(archive.getFileName()))).as("%s built twice", c).isEqualTo(sha256(archive));
      String index = Sh.run("tar", "-xOf", archive.toString(), "./index.json");
      assertThat(index).as("named by the chart's reference, tagged with its appVersion")
          .contains("\"org.opencontainers.image.ref.name\":\"" + images.reference(c) + "\"");
      // Every layer: owner 0:0, mtime 0 (the epoch), names sorted.
      String listing = Sh.run("tar", "-tvf", archive.toString(), "--numeric-owner");
      assertThat(listing.lines()).allSatisfy(l -> assertThat(l).contains(" 0/0 ").contains(" 1970-01-01 00:00 "));
    }
    assertThat(images.reference("operator")).isEqualTo("ghcr.io/cnm-operator/operator:" + images.tag());
    Sh.run("rm", "-rf", again.toString());

    Path state = Files.createTempDirectory("cnm-lab-images");
    CnmLab lab = new CnmLab(state, HOME);
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(lab.run("demo", "--images")).isZero();
      // The operator is its image's non-root user on a read-only root; the daemon is the image's root, privileged.
      assertThat(Sh.run(images.podman("exec", LabImages.OPERATOR_CONTAINER, "id", "-u"), true).trim()).isEqualTo("185");
      assertThat(Sh.run(images.podman("exec", LabImages.OPERATOR_CONTAINER, "touch", "/deployments/x"), false)).contains("Read-only file system");
      assertThat(Sh.run(images.podman("inspect", "--format", "{{.Config.Image}} {{.HostConfig.Privileged}}",
          LabImages.daemonContainer(1)), true).trim()).isEqualTo(images.reference("node-daemon") + " true");
      // The daemon in the container is the one realizing node1: its metrics, read inside the node's namespace.
      String metrics = LabImages.getIn(CnmLab.PREFIX + "node1", LabImages.DAEMON_PORT, "/q/metrics");
      assertThat(LabDemoTest.sample(metrics, "cnm_endpoints{state=\"realized\"}")).isGreaterThanOrEqualTo(3);
      // A crash of node1's daemon container: a new one adopts the node, and the page is served again.
      assertThat(lab.run("daemon", "restart", "node1", "--kill")).isZero();
      assertThat(Demo.fetch(CnmLab.classpath())).contains("db counts visit number 2");
    } finally {
      System.setOut(out);
      System.out.print(captured.toString(StandardCharsets.UTF_8));
      LabRuns.down(lab, state, "images");
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("operator and node-daemons from ghcr.io/cnm-operator/operator:" + images.tag());
    assertThat(text).contains("found db at 172.17.0.").containsPattern("found db at 10\\.\\d+\\.\\d+\\.\\d+ through the embedded DNS")
        .contains("reached db directly at 198.19.0.205 on the LAN");
    assertThat(Sh.run(images.podman("ps", "-a", "--format", "{{.Names}}"), true)).as("containers left by down").doesNotContain(CnmLab.PREFIX);
    // The image holds everything the daemon uses: its preflight found nothing missing, libnftables included.
    for (int node = 1; node <= 2; node++) {
      String log = Files.readString(Path.of("target", "lab-logs", "images", "node-daemon-node" + node + ".log"));
      assertThat(log).contains("node-daemon agent started for node node" + node).doesNotContain("preflight:");
      // The kernel's own answer when it has no AES-GCM ESP (why the userspace path is taken) is about the kernel, not the image.
      assertThat(log.lines().filter(l -> !l.contains("the kernel's ESP is not available"))).noneMatch(l -> l.contains("not found"));
    }
  }

  private static void build(Path out, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(HOME.resolve("scripts/images.sh").toString(), out.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    assertThat(pb.start().waitFor()).as("scripts/images.sh %s", out).isZero();
  }

  private static String sha256(Path f) {
    return Sh.run("sha256sum", f.toString()).split("\\s+")[0];
  }
}
