package io.cnm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two commands on a machine missing a prerequisite: one line naming what to install,
 * within seconds (scripts/prereqs.sh, which make demo and make test run first), and nothing when
 * all is there. Run here with a PATH that lacks the tools, and with installing turned off.
 */
class PrereqsTest {
  @TempDir
  Path bin;

  Result run(String profile, String... present) throws Exception {
    Files.writeString(bin.resolve("id"), "#!" + which("sh") + "\nexec " + which("id") + " \"$@\"\n");
    bin.resolve("id").toFile().setExecutable(true);
    for (String tool : present) {
      Files.writeString(bin.resolve(tool), "#!/bin/sh\n");
      bin.resolve(tool).toFile().setExecutable(true);
    }
    ProcessBuilder pb = new ProcessBuilder(which("bash"), LabDemoTest.HOME.resolve("scripts/prereqs.sh").toString(), profile);
    pb.environment().put("PATH", bin.toString());
    pb.environment().put("CNM_PREREQS_NO_INSTALL", "1");
    long t0 = System.nanoTime();
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - t0));
  }

  record Result(int exit, String err, String out, Duration took) {}

  static String which(String tool) {
    for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return Path.of(d, tool).toString();
      }
    }
    throw new IllegalStateException(tool + " not found");
  }

  @Test
  void makeDemoWithoutNft_failsInSecondsWithOneLineNamingThePackage() throws Exception {
    Result r = run("demo", "java", "ip");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines().toList()).containsExactly(
        "make demo needs nft: apt-get install -y nftables (as root, make demo installs them itself)");
    assertThat(r.out()).isEmpty();
    assertThat(r.took()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void makeTest_namesEverythingItMisses_inOneLine() throws Exception {
    Result r = run("test", "java", "ip", "nft", "make", "curl", "nsenter", "ping");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines().toList()).containsExactly(
        "make test needs tcpdump python3 tshark iperf3: apt-get install -y tcpdump python3 tshark iperf3 (as root, make test installs them "
            + "itself)");
  }

  @Test
  void makeImagesWithoutPodman_namesItInOneLine() throws Exception {
    Result r = run("images", "mmdebstrap", "umoci", "runc");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines().toList()).containsExactly(
        "make images needs podman: apt-get install -y podman (as root, make images installs them itself)");
    assertThat(r.took()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void everythingThere_isSilent() throws Exception {
    Result r = run("demo", "java", "ip", "nft");
    assertThat(r.exit()).isZero();
    assertThat(r.err() + r.out()).isEmpty();
  }
}
