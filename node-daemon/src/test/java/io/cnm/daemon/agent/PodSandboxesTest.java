package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fake /proc: pid 10 is another pod's, pid 42 belongs to the pod under both cgroup drivers' spellings. */
class PodSandboxesTest {
  @TempDir
  Path proc;

  void process(int pid, String cgroup) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(String.valueOf(pid)));
    Files.writeString(dir.resolve("cgroup"), cgroup);
  }

  @Test
  void podNamespace_isFoundFromItsUid_cgroupfsSpelling() throws IOException {
    process(10, "0::/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/abc\n");
    process(42, "0::/kubepods/burstable/pod0f0e0d0c-aaaa-bbbb-cccc-0123456789ab/def\n");
    Files.createDirectories(proc.resolve("self"));
    assertThat(new PodSandboxes(proc).netnsOf("0f0e0d0c-aaaa-bbbb-cccc-0123456789ab")).contains(proc.resolve("42/ns/net").toString());
  }

  @Test
  void podNamespace_isFoundFromItsUid_systemdSpelling() throws IOException {
    process(42, "0::/kubepods.slice/kubepods-pod0f0e0d0c_aaaa_bbbb_cccc_0123456789ab.slice/cri-containerd-x.scope\n");
    assertThat(new PodSandboxes(proc).netnsOf("0f0e0d0c-aaaa-bbbb-cccc-0123456789ab")).contains(proc.resolve("42/ns/net").toString());
  }

  @Test
  void unknownPod_hasNoNamespace() throws IOException {
    process(10, "0::/kubepods/pod11111111-2222-3333-4444-555555555555/abc\n");
    assertThat(new PodSandboxes(proc).netnsOf("0f0e0d0c-aaaa-bbbb-cccc-0123456789ab")).isEmpty();
    assertThat(new PodSandboxes(proc).netnsOf(null)).isEmpty();
  }
}
