package io.cnm.lab;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

  /** The JVM options the lab's operator process runs with (the chart's, at its container's memory limit). */
  public java.util.List<String> operatorJvmOptions() {
    return lab.operatorJvmOptionsAsInItsContainer();
  }

  /** The chart's memory limit of {@code section} (operator, nodeDaemon), in MiB; -1 when it has none. */
  public long chartMemoryLimitMiB(String section) {
    return lab.chartMemoryLimitMiB(section);
  }

  /** The JVM options the lab's daemons run with (the chart's). */
  public java.util.List<String> daemonJvmOptions() {
    return lab.daemonJvmOptions();
  }

  public KubernetesClient client() {
    return lab.client();
  }

  /** The resident set of one of the lab's processes (api, node-daemon-nodeN), in MiB. */
  public long rssMiB(String process) throws Exception {
    return status(process, "VmRSS:") / 1024;
  }

  /**
   * What the RSS is made of (/proc/PID/status), in MiB: anonymous memory (the JVM's heap, metaspace,
   * code, stacks, and every native allocation), file-backed pages (the JVM's and JDK's libraries,
   * the shared class archive, the module image) and shared memory.
   */
  public String rssParts(String process) throws Exception {
    List<String> status = Files.readAllLines(Path.of("/proc", pid(process), "status")); // one read: the three of one moment
    return String.format("anonymous %d, files %d, shared %d", field(status, "RssAnon:") / 1024, field(status, "RssFile:") / 1024,
        field(status, "RssShmem:") / 1024);
  }

  /** The process's threads now (each has a stack, and the C library may give it an arena of its own). */
  public long threads(String process) throws Exception {
    return status(process, "Threads:");
  }

  /**
   * The classes the process has loaded and not unloaded, from its performance counters (jcmd
   * PerfCounter.print: those from the shared archive and the others); -1 when jcmd cannot tell.
   * Each class's metadata is in metaspace, so this is what a dependency's classes cost shows in.
   */
  public long classesLoaded(String process) throws Exception {
    java.util.Map<String, Long> counters = new java.util.HashMap<>();
    for (String line : jcmd(pid(process), "PerfCounter.print").lines().toList()) {
      String[] kv = line.split("=", 2);
      if (kv.length == 2 && kv[0].startsWith("java.cls.") && kv[1].matches("\\d+")) {
        counters.put(kv[0].substring("java.cls.".length()), Long.parseLong(kv[1]));
      }
    }
    if (!counters.containsKey("loadedClasses")) {
      return -1;
    }
    return counters.get("loadedClasses") + counters.getOrDefault("sharedLoadedClasses", 0L) - counters.getOrDefault("unloadedClasses", 0L)
        - counters.getOrDefault("sharedUnloadedClasses", 0L);
  }

  /** The number in a /proc/PID/status line, or -1. */
  private long status(String process, String field) throws Exception {
    return field(Files.readAllLines(Path.of("/proc", pid(process), "status")), field);
  }

  /** The number in the line of /proc/PID/status that starts with {@code field}, or -1. */
  private static long field(List<String> status, String field) {
    for (String line : status) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  /** The process's heap in use, in MiB, from jcmd GC.heap_info (every generation's "used"); -1 when jcmd cannot tell. */
  public long heapUsedMiB(String process) throws Exception {
    return heapInfoMiB(process, USED);
  }

  /**
   * The live heap: jcmd GC.run (a full collection), then the heap in use, in MiB. What the process
   * needs, as against what it has committed; -1 when jcmd cannot tell.
   */
  public long liveHeapMiB(String process) throws Exception {
    jcmd(pid(process), "GC.run");
    return heapUsedMiB(process);
  }

  /** The heap the process has committed (every generation's "total"), in MiB; -1 when jcmd cannot tell. */
  public long heapCommittedMiB(String process) throws Exception {
    return heapInfoMiB(process, COMMITTED);
  }

  private static final java.util.regex.Pattern USED = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K");
  private static final java.util.regex.Pattern COMMITTED = java.util.regex.Pattern.compile("(?:generation|space|heap) +total (\\d+)K");

  /** The sum of {@code kib}'s first group over jcmd GC.heap_info's lines, in MiB; -1 when none matched. */
  private long heapInfoMiB(String process, java.util.regex.Pattern kib) throws Exception {
    java.util.regex.Matcher m = kib.matcher(jcmd(pid(process), "GC.heap_info"));
    long sum = 0;
    boolean any = false;
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
      any = true;
    }
    return any ? sum / 1024 : -1;
  }

  private static String jcmd(String pid, String... command) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid));
    cmd.addAll(java.util.List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /** Committed native memory by category (jcmd VM.native_memory summary), when the JVM runs with -XX:NativeMemoryTracking; else empty. */
  public String nativeMemory(String process) throws Exception {
    String out = jcmd(pid(process), "VM.native_memory", "summary", "scale=MB");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^-\\s+([A-Za-z ]+?) \\(reserved=\\d+MB, committed=(\\d+)MB\\)").matcher(out);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      if (Integer.parseInt(m.group(2)) > 0) {
        sb.append(sb.isEmpty() ? "" : ", ").append(m.group(1).trim()).append(' ').append(m.group(2)).append(" MB");
      }
    }
    return sb.toString();
  }

  /** The first {@code rows} lines of the live heap's class histogram (jcmd GC.class_histogram): what the heap is made of. */
  public String classHistogram(String process, int rows) throws Exception {
    return histogramRows(process).limit(rows).collect(java.util.stream.Collectors.joining("\n"));
  }

  /** How many live instances of {@code className} the process holds (its class histogram; after a full collection). */
  public long instances(String process, String className) throws Exception {
    return histogramRows(process).map(String::trim).map(l -> l.split("\\s+"))
        .filter(f -> f.length >= 4 && f[3].equals(className)).mapToLong(f -> Long.parseLong(f[1])).sum();
  }

  /** jcmd GC.class_histogram's rows ("  N:  instances  bytes  class"), largest first. */
  private java.util.stream.Stream<String> histogramRows(String process) throws Exception {
    return jcmd(pid(process), "GC.class_histogram").lines().filter(l -> l.matches("\\s*\\d+:.*"));
  }

  /** One sample's value from a Prometheus text page; NaN (which fails every comparison) when it is absent. */
  public static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  /** CPU time (user + system) one of the lab's processes has used so far, in ms. */
  public long cpuMillis(String process) throws Exception {
    return io.cnm.daemon.bench.ProcStat.cpuNanos(Long.parseLong(pid(process))) / 1_000_000;
  }

  /** The pid of one of the lab's processes (api, node-daemon-nodeN), from the lab's pid files. */
  private String pid(String process) throws Exception {
    return Files.readString(state.resolve("pids").resolve(process)).trim();
  }

  /** One object from YAML, as our classes. */
  @SuppressWarnings("unchecked")
  public static <T extends HasMetadata> T load(KubernetesClient client, String yaml) {
    return (T) client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items().get(0);
  }
}
