package io.cnm.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cnm-lab up --images}: the operator and node-daemon run as the images {@code make images}
 * builds, in podman (with runc), each node's daemon a privileged container inside its node's
 * namespace with the environment and mounts the chart's DaemonSet gives it, the operator a
 * read-only container as its Deployment runs it. podman's storage is kept under build/podman, so
 * an image is loaded once per build of it.
 */
final class LabImages {
  /** Where the lab's containers reach the API: the underlay's gateway, relayed to the lab server ({@link ApiRelay}). */
  static final String API_ADDRESS = "198.19.0.1";
  static final int API_PORT = 6443;
  static final int DAEMON_PORT = 9464;
  static final int OPERATOR_PORT = 8080;

  private final Path home;
  private final Path state;
  /** The chart's image registry and tag, read from its files once. */
  private String registry;
  private String tag;

  LabImages(Path home, Path state) {
    this.home = home;
    this.state = state;
  }

  /** Stops at once, in one line, when podman, runc or the archives are missing. */
  void check() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("podman", "runc")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      throw new LabException("up --images needs " + String.join(" and ", missing) + ": apt-get install -y --no-install-recommends "
          + String.join(" ", missing));
    }
    for (String c : List.of("operator", "node-daemon")) {
      if (!Files.exists(archive(c))) {
        throw new LabException(archive(c) + " is missing: run make images first");
      }
      Path app = home.resolve(c.equals("operator") ? "operator/target/quarkus-app/quarkus-run.jar" : CnmLab.DAEMON_JAR);
      try {
        if (Files.exists(app) && Files.getLastModifiedTime(archive(c)).compareTo(Files.getLastModifiedTime(app)) < 0) {
          System.out.println("note: " + archive(c) + " is older than " + app + ": the lab runs the image, not that build (make images)");
        }
      } catch (IOException e) {
        // no note
      }
    }
  }

  /** The chart's reference of a component's image: registry/cnm-operator/NAME:appVersion. */
  String reference(String component) {
    if (registry == null) {
      Matcher m = Pattern.compile("(?m)^  registry: *(\\S+)").matcher(read(home.resolve("helm/cnm-operator/values.yaml")));
      registry = m.find() ? m.group(1) : "ghcr.io";
    }
    return registry + "/cnm-operator/" + component + ":" + tag();
  }

  /** The chart's appVersion: the images' tag. */
  String tag() {
    if (tag == null) {
      Matcher m = Pattern.compile("(?m)^appVersion: *\"?([^\"\\s]+)\"?").matcher(read(home.resolve("helm/cnm-operator/Chart.yaml")));
      if (!m.find()) {
        throw new LabException("no appVersion in helm/cnm-operator/Chart.yaml");
      }
      tag = m.group(1);
    }
    return tag;
  }

  Path archive(String component) {
    return home.resolve("build/images").resolve(component + "-" + tag() + ".oci-archive");
  }

  /** Loads the archive into podman's storage unless the image there is already this build of it. */
  void load(String component) {
    String ref = reference(component);
    String wanted = manifestDigest(archive(component));
    String have = Sh.run(podman("image", "inspect", "--format", "{{.Digest}}", ref), false).trim();
    if (!have.equals(wanted)) {
      // The archive's index names the image by the chart's reference (scripts/images.sh): podman keeps that name.
      Sh.run(podman("pull", "-q", "oci-archive:" + archive(component)), true);
    }
  }

  /** The manifest digest an oci-archive's index names (what podman reports as the image's digest). */
  static String manifestDigest(Path archive) {
    String index = Sh.run("tar", "-xOf", archive.toString(), "./index.json");
    Matcher m = Pattern.compile("\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"").matcher(index);
    if (!m.find()) {
      throw new LabException(archive + " has no manifest in its index.json");
    }
    return m.group(1);
  }

  /** podman with the lab's storage and settings (scripts/containers.conf: runc, cgroupfs, limits within this machine's). */
  List<String> podman(String... args) {
    List<String> cmd = new ArrayList<>(List.of("env", "CONTAINERS_CONF=" + home.resolve("scripts/containers.conf"), "podman",
        "--root", home.resolve("build/podman/storage").toString(), "--runroot", home.resolve("build/podman/run").toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static String daemonContainer(int node) {
    return CnmLab.PREFIX + "daemon-node" + node;
  }

  static final String OPERATOR_CONTAINER = CnmLab.PREFIX + "operator";

  /**
   * The node's daemon as the DaemonSet runs it: privileged, the host's PIDs, in the node's network
   * namespace (the DaemonSet's hostNetwork), with its volumes.
   *
   * @param env the node's environment beyond the chart's (gossip timers of tests)
   */
  List<String> daemonCommand(int node, List<String> jvmOptions, Map<String, String> env, Path pluginSockets, Path pluginSpecs) throws IOException {
    Files.createDirectories(Path.of("/etc/netns"));
    Files.createDirectories(state.resolve("daemon-state"));
    Files.createDirectories(pluginSockets);
    Files.createDirectories(pluginSpecs);
    Map<String, String> e = new LinkedHashMap<>();
    e.put("NODE_NAME", "node" + node);
    e.put("JAVA_TOOL_OPTIONS", String.join(" ", jvmOptions));
    e.put("CNM_HTTP_PORT", String.valueOf(DAEMON_PORT));
    e.put("CNM_GOSSIP_KEYS_NAMESPACE", "default");
    e.put("CNM_HOST_PROC", "/host/proc");
    e.put("CNM_STATE_DIR", "/var/lib/cnm");
    e.put("CNM_PLUGINS_SOCKETS_DIR", "/run/docker/plugins");
    e.put("CNM_PLUGINS_SPEC_DIRS", "/etc/docker/plugins");
    e.putAll(api());
    e.putAll(env);
    List<String> cmd = run(daemonContainer(node), "ns:/run/netns/" + CnmLab.PREFIX + "node" + node, e);
    cmd.addAll(List.of("--privileged", "--pid", "host", "-v", "/run/netns:/run/netns:rshared", "-v", "/proc:/host/proc:ro"));
    if (Files.isDirectory(Path.of("/lib/modules"))) {
      cmd.addAll(List.of("-v", "/lib/modules:/lib/modules:ro")); // a machine whose kernel has modules to load
    }
    cmd.addAll(List.of("-v", "/etc/netns:/etc/netns", "-v", state.resolve("daemon-state") + ":/var/lib/cnm",
        "-v", pluginSockets + ":/run/docker/plugins", "-v", pluginSpecs + ":/etc/docker/plugins:ro", reference("node-daemon")));
    return cmd;
  }

  /** The operator as its Deployment runs it: its image's non-root user, a read-only root with a /tmp of its own. */
  List<String> operatorCommand(String jvmOptions, Path pluginSockets, Path pluginSpecs) throws IOException {
    Files.createDirectories(pluginSockets);
    Files.createDirectories(pluginSpecs);
    Map<String, String> e = new LinkedHashMap<>();
    e.put("POD_NAMESPACE", "default");
    e.put("JAVA_TOOL_OPTIONS", jvmOptions);
    e.put("QUARKUS_HTTP_PORT", String.valueOf(OPERATOR_PORT));
    e.put("CNM_GOSSIP_NAMESPACE", "default");
    e.put("CNM_PLUGINS_SOCKETS_DIR", "/run/docker/plugins");
    e.put("CNM_PLUGINS_SPEC_DIRS", "/etc/docker/plugins");
    e.putAll(api());
    List<String> cmd = run(OPERATOR_CONTAINER, "ns:/run/netns/" + CnmLab.UNDERLAY, e);
    cmd.addAll(List.of("--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "-v", pluginSockets + ":/run/docker/plugins", "-v", pluginSpecs + ":/etc/docker/plugins:ro", reference("operator")));
    return cmd;
  }

  private static Map<String, String> api() {
    return CnmLab.apiEnv("http://" + API_ADDRESS + ":" + API_PORT);
  }

  /** podman run in the foreground (the lab's process keeps its log), removed when it ends. */
  private List<String> run(String name, String network, Map<String, String> env) {
    // Both limits, as a --ulimit replaces every default one: podman's own nproc exceeds what runc may set here.
    long nofile = hardLimit("n", 65536);
    long nproc = hardLimit("u", 32768);
    List<String> cmd = podman("run", "--rm", "--replace", "--name", name, "--network", network,
        "--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=" + nproc + ":" + nproc);
    env.forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
    return cmd;
  }

  /** A limit a container may have here: this machine's hard limit ({@code ulimit -H<flag>}), at most {@code cap}. */
  private static long hardLimit(String flag, long cap) {
    String v = Sh.run("bash", "-c", "ulimit -H" + flag).trim();
    return v.matches("\\d+") ? Math.min(cap, Long.parseLong(v)) : cap;
  }

  /** Signals a container's program (SIGKILL: no shutdown, as a crash; SIGTERM: a normal stop). */
  void signal(String container, boolean kill) {
    Sh.run(podman("kill", "--signal", kill ? "KILL" : "TERM", container), false);
  }

  /** Removes every container of the lab, running or not. */
  void removeAll() {
    for (String name : Sh.run(podman("ps", "-a", "--format", "{{.Names}}"), false).split("\\s+")) {
      if (name.startsWith(CnmLab.PREFIX)) {
        Sh.run(podman("rm", "-f", "-t", "0", name), false);
      }
    }
  }

  /**
   * The whole HTTP/1.0 answer (status line, headers, body) of GET {@code path} on 127.0.0.1:{@code port}
   * inside a lab namespace, through bash's /dev/tcp (nothing to install); empty when nothing answers.
   */
  static String getIn(String namespace, int port, String path) {
    String get = "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf 'GET " + path + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
    return Sh.run(List.of("ip", "netns", "exec", namespace, "bash", "-c", get), false);
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new LabException("cannot read " + p + ": " + e.getMessage());
    }
  }
}
