package io.cnm.lab;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** cnm-lab for the benchmarks in other packages: its commands, its API, its processes' memory. */
public final class LabAccess {
  private final CnmLab lab;
  private final Path state;

  public LabAccess(Path state, Path home) {
    this.lab = new CnmLab(state, home);
    this.state = state;
  }

  public int run(String... args) {
    return lab.run(args);
  }

  public KubernetesClient client() {
    return lab.client();
  }

  /** The resident set of one of the lab's processes (api, node-daemon-nodeN), in MiB. */
  public long rssMiB(String process) throws Exception {
    String pid = Files.readString(state.resolve("pids").resolve(process)).trim();
    for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  /** CPU time (user + system) one of the lab's processes has used so far, in ms. */
  public long cpuMillis(String process) throws Exception {
    String pid = Files.readString(state.resolve("pids").resolve(process)).trim();
    String stat = Files.readString(Path.of("/proc", pid, "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime, stime in clock ticks (USER_HZ 100)
  }

  /** One object from YAML, as our classes. */
  @SuppressWarnings("unchecked")
  public static <T extends HasMetadata> T load(KubernetesClient client, String yaml) {
    return (T) client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items().get(0);
  }
}
