package io.cnm.lab;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * cnm-lab: a small cnm cluster on one Linux machine, for trying cnm-operator without Kubernetes
 * and for our own end-to-end tests. Nodes are network namespaces on a lab underlay; the API is an
 * embedded Kubernetes API (the Fabric8 mock server); the operator and one node-daemon per node
 * are the real programs. Everything it makes is named cnmlab-* and removed by {@code down}.
 */
public final class CnmLab {
  static final String USAGE = """
      usage: cnm-lab <command>
        up [--nodes N] [--images]       build the lab (N nodes, default 1) and start the API, operator and node-daemons
                                        (--images: the operator and node-daemon images of make images, in podman;
                                        --operator-process: the operator's Quarkus application in a JVM of its own)
        apply -f FILE | delete -f FILE  create/update or delete the objects of a YAML file (namespace default)
        get networks|endpoints|services list objects like docker network ls
        sandbox add NAME --node NODE    make a bare sandbox (network namespace cnmlab-NAME) to attach endpoints to
        exec [-d] SANDBOX -- CMD...     run a host command inside a sandbox (-d: in the background, stopped by down)
        wait endpoints                  wait until every endpoint is Ready and realized on its node
        daemon restart NODE [--kill]    stop a node's daemon (SIGKILL with --kill) and start a new one
        node down|up NODE               lose a node (daemon killed, namespace deleted) or bring it back
        demo [--images]                 the seed's bridge, overlay and macvlan (Docker Pets) walkthroughs
        down                            stop everything and remove every namespace, link, table and file the lab made
      """;
  public static final String PREFIX = "cnmlab-";
  static final String UNDERLAY = PREFIX + "underlay";

  private final Path state;
  private final Path home;
  private Map<String, String> daemonEnv = Map.of();
  private Map<String, String> serverEnv = Map.of();

  CnmLab(Path state, Path home) {
    this.state = state;
    this.home = home;
  }

  /** Extra environment for the lab's API server and operator (CNM_LAB_CERTIFICATE_SECONDS: the daemons' certificate validity). */
  CnmLab withServerEnv(Map<String, String> env) {
    this.serverEnv = Map.copyOf(env);
    return this;
  }

  /** Extra environment for every node-daemon this lab starts (tests shorten gossip timers with it). */
  CnmLab withDaemonEnv(Map<String, String> env) {
    this.daemonEnv = Map.copyOf(env);
    return this;
  }

  public static void main(String[] args) {
    quietLogs();
    Path state = Path.of(System.getenv().getOrDefault("CNM_LAB_STATE", "/run/cnm-lab"));
    Path home = Path.of(System.getenv().getOrDefault("CNM_LAB_HOME", guessHome()));
    try {
      System.exit(new CnmLab(state, home).run(args));
    } catch (LabException e) {
      System.err.println("cnm-lab: " + e.getMessage());
      System.exit(e.exitCode);
    }
  }

  /** Warnings and errors only; Fabric8's note that v1alpha1 is unstable is not news to a user of this lab. */
  static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
  }

  /** The repository: two levels above e2e/target/cnm-lab.jar, else the working directory. */
  static String guessHome() {
    try {
      Path jar = Path.of(CnmLab.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path repo = jar.getParent() == null ? null : jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
      if (repo != null && Files.exists(repo.resolve("operator"))) {
        return repo.toString();
      }
    } catch (Exception e) {
      // fall through
    }
    return Path.of("").toAbsolutePath().toString();
  }

  int run(String... args) {
    if (args.length == 0) {
      throw new LabException("no command\n" + USAGE, 2);
    }
    List<String> rest = List.of(args).subList(1, args.length);
    return switch (args[0]) {
      case "up" -> up(intOption(rest, "--nodes", 1), rest.contains("--images"), rest.contains("--operator-process"));
      case "apply" -> apply(fileOption(rest), false);
      case "delete" -> apply(fileOption(rest), true);
      case "get" -> get(rest.isEmpty() ? bad("get what? networks, endpoints or services") : rest.get(0));
      case "sandbox" -> sandbox(rest);
      case "exec" -> exec(rest);
      case "wait" -> waitEndpoints(120);
      case "daemon" -> daemon(rest);
      case "node" -> node(rest);
      case "demo" -> Demo.run(this, rest.contains("--images"));
      case "down" -> down();
      case "help", "--help", "-h" -> {
        System.out.print(USAGE);
        yield 0;
      }
      default -> throw new LabException("unknown command '" + args[0] + "'\n" + USAGE, 2);
    };
  }

  static <T> T bad(String message) {
    throw new LabException(message, 2);
  }

  static int intOption(List<String> args, String name, int dflt) {
    int i = args.indexOf(name);
    if (i < 0) {
      return dflt;
    }
    try {
      int v = Integer.parseInt(args.get(i + 1));
      if (v < 1 || v > 16) {
        return bad(name + " must be between 1 and 16");
      }
      return v;
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      return bad(name + " needs a number");
    }
  }

  static Path fileOption(List<String> args) {
    int i = args.indexOf("-f");
    if (i < 0 || i + 1 >= args.size()) {
      return bad("-f FILE is required");
    }
    Path p = Path.of(args.get(i + 1));
    if (!Files.isRegularFile(p)) {
      return bad("no such file: " + p);
    }
    return p;
  }

  // ---- up / down

  int up(int nodes, boolean withImages) {
    return up(nodes, withImages, false);
  }

  /**
   * {@code operatorProcess}: the operator is the Quarkus application a cluster runs, in a JVM of
   * its own with the chart's settings (its memory can be measured apart from the API's); else its
   * reconcilers run in the lab server's process.
   */
  int up(int nodes, boolean withImages, boolean operatorProcess) {
    requireRoot();
    if (Files.exists(state.resolve("api-port"))) {
      throw new LabException("the lab is already up (state in " + state + "); run cnm-lab down first");
    }
    if (!Files.exists(home.resolve(DAEMON_JAR))) {
      throw new LabException(home.resolve(DAEMON_JAR) + " is missing: run make build first (or set CNM_LAB_HOME to the repository)");
    }
    LabImages images = new LabImages(home, state);
    if (withImages) {
      images.check();
    }
    try {
      Files.createDirectories(state);
      if (withImages) {
        Files.writeString(state.resolve("images"), "");
        images.load("operator");
        images.load("node-daemon");
      }
      buildUnderlay(nodes);
      Processes procs = new Processes(state);
      List<String> server = new ArrayList<>(List.of(java(), "-cp", classpath(), LabServer.class.getName(), state.toString(),
          String.valueOf(nodes)));
      if (withImages || operatorProcess) {
        server.add("--images"); // the operator is the image's or a process of its own: the lab server is the API alone
      }
      procs.start("api", server, serverEnv);
      int port = awaitPort();
      String api = "http://127.0.0.1:" + port;
      if (withImages) {
        // The containers' way to the API: 198.19.0.1:6443 on the underlay, relayed to the lab server's unix socket.
        procs.start("api-relay", List.of("ip", "netns", "exec", UNDERLAY, java(), "-cp", classpath(), ApiRelay.class.getName(),
            "tcp:" + LabImages.API_ADDRESS + ":" + LabImages.API_PORT, "unix:" + state.resolve("api.sock")), Map.of());
        procs.start("operator", images.operatorCommand(operatorJvmOptions(), pluginSockets("operator"), pluginSpecs("operator")), Map.of());
        awaitReady(UNDERLAY, LabImages.OPERATOR_PORT, "operator (image)", "operator");
      } else if (operatorProcess) {
        startOperator(procs, port);
        awaitReady(OPERATOR_PORT, "operator", "operator");
      }
      for (int i = 1; i <= nodes; i++) {
        startDaemon(procs, i, port);
      }
      for (int i = 1; i <= nodes; i++) {
        awaitDaemon(i);
      }
      Files.writeString(state.resolve("nodes"), String.valueOf(nodes));
      System.out.printf("cnm-lab is up: %d node(s) on underlay 198.19.0.0/24 (node%s at 198.19.0.11%s), API %s%s%n",
          nodes, nodes == 1 ? "1" : "1.." + nodes, nodes == 1 ? "" : "..", api,
          withImages ? "; operator and node-daemons from " + images.reference("operator") + " and " + images.reference("node-daemon") : "");
      return 0;
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }

  /** Whether this lab runs the images (up --images). */
  boolean images() {
    return Files.exists(state.resolve("images"));
  }

  /** Until node i's daemon answers ready: on the host's loopback, or inside its node's namespace when it is a container. */
  private void awaitDaemon(int node) {
    if (images()) {
      awaitReady(PREFIX + "node" + node, LabImages.DAEMON_PORT, "node-daemon of node" + node + " (image)", "node-daemon-node" + node);
    } else {
      awaitReady(19464 + node, "node-daemon of node" + node, "node-daemon-node" + node);
    }
  }

  /** One node's daemon: a real node-daemon process acting on the node's namespace, or the image's container inside it. */
  private void startDaemon(Processes procs, int node, int apiPort) {
    if (images()) {
      Map<String, String> env = new java.util.HashMap<>(gossipEnv());
      env.putAll(daemonEnv);
      try {
        procs.start("node-daemon-node" + node, new LabImages(home, state).daemonCommand(node, daemonJvmOptions(), env,
            pluginSockets("node" + node), pluginSpecs("node" + node)), Map.of());
      } catch (IOException e) {
        throw new LabException(e.getMessage());
      }
      return;
    }
    Path daemonApp = home.resolve(DAEMON_JAR);
    Map<String, String> env = new java.util.HashMap<>(apiEnv("http://127.0.0.1:" + apiPort));
    env.putAll(Map.of("NODE_NAME", "node" + node, "CNM_NODE_NETNS", "/run/netns/" + PREFIX + "node" + node,
        "CNM_HTTP_PORT", String.valueOf(19464 + node)));
    env.putAll(gossipEnv());
    // Each node has its own Docker plugin directories and state, as separate machines would.
    env.put("CNM_PLUGINS_SOCKETS_DIR", pluginSockets("node" + node).toString());
    env.put("CNM_PLUGINS_SPEC_DIRS", pluginSpecs("node" + node).toString());
    env.put("CNM_STATE_DIR", state.resolve("daemon-state").toString());
    env.putAll(daemonEnv);
    List<String> cmd = new java.util.ArrayList<>(List.of(java()));
    cmd.addAll(daemonJvmOptions());
    cmd.addAll(List.of("-jar", daemonApp.toString()));
    procs.start("node-daemon-node" + node, cmd, env);
  }

  /** The node-daemon's build: its jar, with lib/ beside it. */
  static final String DAEMON_JAR = "node-daemon/target/daemon-app/cnm-node-daemon.jar";

  /** Where the operator of {@code up --operator-process} serves /q/health and /q/metrics on the host's loopback. */
  static final int OPERATOR_PORT = 19460;

  /**
   * The operator's Quarkus application on the host, as its Deployment runs it: the chart's JVM
   * settings, and {@code -XX:MaxRAM} at the chart's memory limit so that percentages of "the
   * machine" are taken of the container's limit, as the JVM does in a container.
   */
  private void startOperator(Processes procs, int apiPort) {
    Path app = home.resolve("operator/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(app)) {
      throw new LabException(app + " is missing: run make build first");
    }
    Map<String, String> env = new java.util.HashMap<>(apiEnv("http://127.0.0.1:" + apiPort));
    env.putAll(Map.of("POD_NAMESPACE", "default", "CNM_GOSSIP_NAMESPACE", "default", "QUARKUS_HTTP_PORT", String.valueOf(OPERATOR_PORT),
        "CNM_PLUGINS_SOCKETS_DIR", pluginSockets("operator").toString(), "CNM_PLUGINS_SPEC_DIRS", pluginSpecs("operator").toString()));
    env.putAll(serverEnv);
    List<String> cmd = new java.util.ArrayList<>(List.of(java()));
    cmd.addAll(operatorJvmOptionsAsInItsContainer());
    cmd.addAll(List.of("-jar", app.toString()));
    procs.start("operator", cmd, env);
  }

  /** The chart's operator.jvmOptions with -XX:MaxRAM at operator.resources.limits.memory (CNM_LAB_OPERATOR_JAVA_OPTS replaces them). */
  List<String> operatorJvmOptionsAsInItsContainer() {
    String opts = System.getenv("CNM_LAB_OPERATOR_JAVA_OPTS");
    if (opts == null) {
      opts = operatorJvmOptions();
      long limit = chartMemoryLimitMiB("operator");
      if (limit > 0) {
        opts = "-XX:MaxRAM=" + limit + "m " + opts;
      }
    }
    return opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
  }

  /** Gossip timers for tests and experiments (e.g. CNM_GOSSIP_PUSH_PULL_MS): passed through to every daemon. */
  private static Map<String, String> gossipEnv() {
    Map<String, String> env = new java.util.HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("CNM_GOSSIP_")) {
        env.put(k, v);
      }
    });
    return env;
  }

  /** Where a node's daemon (or, for "operator", the lab's operator) finds Docker plugin sockets: its /run/docker/plugins. */
  public Path pluginSockets(String node) {
    return state.resolve("plugins").resolve(node).resolve("run");
  }

  /** Where it finds plugin spec files: its /etc/docker/plugins. */
  public Path pluginSpecs(String node) {
    return state.resolve("plugins").resolve(node).resolve("etc");
  }

  /** {@code daemon restart NODE [--kill]}: stop a node's daemon (SIGKILL with --kill) and start a new one. */
  int daemon(List<String> args) {
    if (args.size() < 2 || !args.get(0).equals("restart") || !args.get(1).matches("node[0-9]+")) {
      return bad("usage: daemon restart NODE [--kill]");
    }
    int node = Integer.parseInt(args.get(1).substring(4));
    try {
      if (!Files.exists(state.resolve("pids").resolve("node-daemon-" + args.get(1)))) {
        throw new LabException("no daemon for " + args.get(1));
      }
      stopDaemon(args.get(1), args.contains("--kill")); // --kill: SIGKILL, no shutdown hook, nothing cleaned up
      int port = Integer.parseInt(Files.readString(state.resolve("api-port")).trim());
      startDaemon(new Processes(state), node, port);
      awaitDaemon(node);
      System.out.println("node-daemon of " + args.get(1) + " restarted");
      return 0;
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }

  /** The underlay: a bridge lab0 (198.19.0.1/24) in its own namespace; node i is 198.19.0.(10+i) behind a veth. */
  private void buildUnderlay(int nodes) {
    Sh.run("ip", "netns", "add", UNDERLAY);
    Sh.run("ip", "-n", UNDERLAY, "link", "set", "lo", "up");
    Sh.run("ip", "-n", UNDERLAY, "link", "add", "lab0", "type", "bridge");
    Sh.run("ip", "-n", UNDERLAY, "addr", "add", "198.19.0.1/24", "dev", "lab0");
    Sh.run("ip", "-n", UNDERLAY, "link", "set", "lab0", "up");
    for (int i = 1; i <= nodes; i++) {
      buildNode(i);
    }
  }

  /** Node i: a namespace with eth0 at 198.19.0.(10+i)/24 on the underlay bridge. */
  private static void buildNode(int i) {
    String node = PREFIX + "node" + i;
    Sh.run("ip", "netns", "add", node);
    Sh.run("ip", "-n", node, "link", "set", "lo", "up");
    Sh.run("ip", "-n", UNDERLAY, "link", "add", "n" + i, "type", "veth", "peer", "name", "eth0", "netns", node);
    Sh.run("ip", "-n", UNDERLAY, "link", "set", "n" + i, "master", "lab0", "up");
    Sh.run("ip", "-n", node, "addr", "add", "198.19.0." + (10 + i) + "/24", "dev", "eth0");
    Sh.run("ip", "-n", node, "link", "set", "eth0", "up");
    Sh.run("ip", "-n", node, "route", "add", "default", "via", "198.19.0.1");
  }

  /**
   * {@code node down NODE}: the node is lost (its daemon SIGKILLed, its namespace deleted with
   * everything in it); {@code node up NODE}: it comes back (a fresh namespace, a new daemon).
   */
  int node(List<String> args) {
    if (args.size() != 2 || !Set.of("down", "up").contains(args.get(0)) || !args.get(1).matches("node[0-9]+")) {
      return bad("usage: node down|up NODE");
    }
    requireRoot();
    int i = Integer.parseInt(args.get(1).substring(4));
    if (i < 1 || i > nodes()) {
      return bad("no " + args.get(1) + " in this lab (it has " + nodes() + ")");
    }
    boolean exists = Files.exists(Path.of("/run/netns", PREFIX + args.get(1)));
    try {
      if (args.get(0).equals("down")) {
        stopDaemon(args.get(1), true);
        if (exists) {
          Sh.run("ip", "netns", "del", PREFIX + args.get(1));
        }
        System.out.println(args.get(1) + " is down (daemon killed, namespace deleted)");
      } else {
        if (!exists) {
          buildNode(i);
        }
        stopDaemon(args.get(1), false);
        int port = Integer.parseInt(Files.readString(state.resolve("api-port")).trim());
        startDaemon(new Processes(state), i, port);
        awaitDaemon(i);
        System.out.println(args.get(1) + " is up");
      }
      return 0;
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }

  private void stopDaemon(String node, boolean kill) throws IOException {
    Path pidFile = state.resolve("pids").resolve("node-daemon-" + node);
    if (images()) {
      // The container's program gets the signal (podman's client, the lab's process, then ends with it).
      new LabImages(home, state).signal(LabImages.daemonContainer(Integer.parseInt(node.substring(4))), kill);
    }
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(h -> {
        if (kill) {
          h.destroyForcibly();
        } else {
          h.destroy();
        }
        h.onExit().join();
      });
    }
  }

  /** What a cluster would already have: the default namespace, our CRDs, and the nodes. */
  static void seedApi(KubernetesClient client, int nodes) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
    io.cnm.api.crd.Crds.install(client);
    for (int i = 1; i <= nodes; i++) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node" + i)
          .withAnnotations(Map.of("cnm.io/host-subnets", "198.19.0.0/24")).endMetadata()
          .withNewStatus().addNewAddress().withType("InternalIP").withAddress("198.19.0." + (10 + i)).endAddress().endStatus()
          .build()).create();
    }
  }

  private int awaitPort() throws IOException {
    Path f = state.resolve("api-port");
    for (int i = 0; i < 300 && !Files.exists(f); i++) {
      sleep(100);
    }
    if (!Files.exists(f)) {
      throw new LabException("the lab API and operator did not start; see " + state.resolve("api.log"));
    }
    return Integer.parseInt(Files.readString(f).trim());
  }

  /** Until a server inside a lab namespace (a container there, run by the lab's process {@code process}) answers ready. */
  private void awaitReady(String namespace, int port, String what, String process) {
    awaitReady(() -> Answer.of(LabImages.getIn(namespace, port, "/q/health/ready")), what, process);
  }

  /** Until the lab's process {@code process} answers ready on loopback {@code port}. */
  private void awaitReady(int port, String what, String process) {
    awaitReady(() -> Answer.onLoopback(port), what, process);
  }

  private void awaitReady(Supplier<Answer> ask, String what, String process) {
    Processes procs = new Processes(state);
    awaitReady(ask, what, state.resolve(process + ".log"), () -> procs.alive(process), 120_000);
  }

  /** Until the server on loopback {@code port} answers ready (as {@link #awaitReady(Supplier, String, Path, BooleanSupplier, long)}). */
  static void awaitReady(int port, String what, Path log, BooleanSupplier alive, long timeoutMillis) {
    awaitReady(() -> Answer.onLoopback(port), what, log, alive, timeoutMillis);
  }

  /** A readiness answer: its HTTP status (0 when nothing answered) and its body. */
  record Answer(int code, String body) {
    static final Answer NONE = new Answer(0, "");

    static Answer onLoopback(int port) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        int code = c.getResponseCode();
        try (InputStream body = code == 200 ? c.getInputStream() : c.getErrorStream()) {
          return new Answer(code, body == null ? "" : new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        return NONE; // not listening yet
      }
    }

    /** From a whole HTTP/1.0 answer as text (status line, headers, a blank line, the body). */
    static Answer of(String raw) {
      String[] status = raw.lines().findFirst().orElse("").split(" ");
      int blank = raw.indexOf("\r\n\r\n");
      try {
        return new Answer(status.length > 1 ? Integer.parseInt(status[1]) : 0, blank < 0 ? "" : raw.substring(blank + 4));
      } catch (NumberFormatException e) {
        return NONE;
      }
    }
  }

  /**
   * Until {@code ask} answers ready. A server that says it will never be (the node-daemon's
   * preflight: "not running: missing nftables...") or whose process exited fails at once, with
   * what it said, instead of after the whole wait.
   */
  static void awaitReady(Supplier<Answer> ask, String what, Path log, BooleanSupplier alive, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      Answer a = ask.get();
      if (a.code() == 200) {
        return;
      }
      String never = notRunning(a.body());
      if (never != null) {
        throw new LabException(what + " does not start: " + never + "; see " + log);
      }
      if (!alive.getAsBoolean()) {
        throw new LabException(what + " exited; see " + log);
      }
      sleep(250);
    }
    throw new LabException(what + " did not become ready in " + timeoutMillis / 1000 + " s; see " + log);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper HEALTH_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Why a readiness answer says its server will not run at all (a check's {@code state} "not running: why"), or null. */
  static String notRunning(String body) {
    try {
      for (var check : HEALTH_JSON.readTree(body).path("checks")) {
        String st = check.path("data").path("state").asText("");
        if (st.startsWith("not running: ")) {
          return st.substring("not running: ".length());
        }
      }
    } catch (IOException e) {
      // not a health answer
    }
    return null;
  }

  int down() {
    requireRoot();
    boolean withImages = images();
    new Processes(state).stopAll();
    if (withImages) {
      new LabImages(home, state).removeAll();
    }
    Path netns = Path.of("/run/netns");
    if (Files.isDirectory(netns)) {
      try (Stream<Path> s = Files.list(netns)) {
        List<String> labNamespaces = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).toList();
        // Whatever still runs inside them (a command that daemonized itself, e.g. iperf3 -D, escaped exec -d's
        // bookkeeping) would keep a deleted namespace alive: ended first, and only those.
        for (String ns : labNamespaces) {
          for (String pid : Sh.run(List.of("ip", "netns", "pids", ns), false).split("\\s+")) {
            if (pid.matches("\\d+")) {
              ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
        }
        for (String ns : labNamespaces) {
          Sh.run(List.of("ip", "netns", "del", ns), false);
        }
      } catch (IOException e) {
        throw new LabException(e.getMessage());
      }
    }
    deleteTree(Path.of("/etc/netns"), p -> p.getFileName().toString().startsWith(PREFIX));
    deleteTree(state.getParent() == null ? state : state.getParent(), p -> p.equals(state));
    System.out.println("cnm-lab is down");
    return 0;
  }

  private static void deleteTree(Path dir, java.util.function.Predicate<Path> which) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path top : s.filter(which).toList()) {
        try (Stream<Path> all = Files.walk(top)) {
          for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw new LabException("cannot remove " + dir + ": " + e.getMessage());
    }
  }

  // ---- API commands

  KubernetesClient client() {
    Path f = state.resolve("api-port");
    if (!Files.exists(f)) {
      throw new LabException("the lab is not up: run cnm-lab up");
    }
    try {
      return client(Integer.parseInt(Files.readString(f).trim()));
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }

  /**
   * How a lab process reaches the lab's API: through Fabric8's own environment, as the daemon's and
   * the operator's clients read it. With a token, which the lab's API takes whatever it is: a
   * client configured from its environment with no credentials at all reads its whole
   * configuration again (environment, kubeconfig, service account files) before every request
   * from its first minute on, since Fabric8's token refresh finds no token to keep. In a cluster
   * the daemons and the operator have their service account's token and refresh once a minute;
   * with this the lab's processes do as they would there.
   */
  static Map<String, String> apiEnv(String masterUrl) {
    return Map.of("KUBERNETES_MASTER", masterUrl, "KUBERNETES_NAMESPACE", "default", "KUBERNETES_AUTH_TOKEN", "cnm-lab");
  }

  static KubernetesClient client(int port) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port).withNamespace("default")
        .withRequestTimeout(10_000).build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    // So that YAML of our kinds loads as our classes, not as generic resources the client cannot route.
    client.getKubernetesSerialization().registerKubernetesResource(CnmNetwork.class);
    client.getKubernetesSerialization().registerKubernetesResource(CnmEndpoint.class);
    client.getKubernetesSerialization().registerKubernetesResource(CnmService.class);
    return client;
  }

  int apply(Path file, boolean delete) {
    try (KubernetesClient client = client(); InputStream in = Files.newInputStream(file)) {
      List<HasMetadata> items = client.load(in).items();
      for (HasMetadata item : items) {
        if (item.getMetadata().getNamespace() == null) {
          item.getMetadata().setNamespace("default");
        }
        String what = item.getKind() + "/" + item.getMetadata().getName();
        if (delete) {
          client.resource(item).delete();
          System.out.println(what + " deleted");
        } else {
          client.resource(item).createOr(NonDeletingOperation::update);
          System.out.println(what + " applied");
        }
      }
      return 0;
    } catch (IOException e) {
      throw new LabException(file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new LabException(file + ": " + e.getMessage());
    }
  }

  int get(String what) {
    try (KubernetesClient client = client()) {
      switch (what) {
        case "networks", "network", "cnet" -> table(List.of("NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET", "READY"),
            client.resources(CnmNetwork.class).inNamespace("default").list().getItems(), n -> List.of(
                v(n.getStatus() == null ? null : n.getStatus().getNetworkId()), n.getMetadata().getName(), n.getSpec().driverOrDefault(),
                v(n.getStatus() == null ? null : n.getStatus().getScope()),
                v(n.getStatus() == null || n.getStatus().getSubnets().isEmpty() ? null : n.getStatus().getSubnets().get(0)),
                ready(n.getStatus() == null ? null : n.getStatus().getConditions(), Conditions.READY)));
        case "endpoints", "endpoint", "cep" -> table(List.of("NAME", "NETWORK", "NODE", "IPV4 ADDRESS", "MAC ADDRESS", "READY", "REALIZED"),
            client.resources(CnmEndpoint.class).inNamespace("default").list().getItems(), e -> List.of(e.getMetadata().getName(),
                e.getSpec().getNetwork(), v(e.getStatus() == null ? null : e.getStatus().getNodeName()),
                v(e.getStatus() == null ? null : e.getStatus().getIpv4Address()), v(e.getStatus() == null ? null : e.getStatus().getMacAddress()),
                ready(e.getStatus() == null ? null : e.getStatus().getConditions(), Conditions.READY),
                ready(e.getStatus() == null ? null : e.getStatus().getConditions(), Conditions.REALIZED)));
        case "services", "service", "csvc" -> table(List.of("NAME", "MODE", "VIP", "BACKENDS", "READY"),
            client.resources(CnmService.class).inNamespace("default").list().getItems(), s -> List.of(s.getMetadata().getName(),
                s.getSpec().endpointModeOrDefault().name().toLowerCase(java.util.Locale.ROOT),
                v(s.getStatus() == null || s.getStatus().getVirtualIPs().isEmpty() ? null : s.getStatus().getVirtualIPs().get(0).getAddress()),
                v(s.getStatus() == null || s.getStatus().getBackends() == null ? null : String.valueOf(s.getStatus().getBackends())),
                ready(s.getStatus() == null ? null : s.getStatus().getConditions(), Conditions.READY)));
        default -> bad("get what? networks, endpoints or services (not '" + what + "')");
      }
      return 0;
    }
  }

  private static String v(String s) {
    return s == null ? "-" : s;
  }

  private static String ready(List<io.fabric8.kubernetes.api.model.Condition> conditions, String type) {
    return Conditions.find(conditions, type).map(c -> c.getStatus().equals("True") ? "True" : "False (" + c.getReason() + ")").orElse("-");
  }

  private static <T> void table(List<String> header, List<T> rows, Function<T, List<String>> cells) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    rows.forEach(r -> all.add(cells.apply(r)));
    int[] w = new int[header.size()];
    all.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    });
    for (List<String> r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        sb.append(String.format("%-" + (w[i] + 3) + "s", r.get(i)));
      }
      System.out.println(sb.toString().stripTrailing());
    }
  }

  int waitEndpoints(int seconds) {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    try (KubernetesClient client = client()) {
      while (System.currentTimeMillis() < deadline) {
        List<CnmEndpoint> eps = client.resources(CnmEndpoint.class).inNamespace("default").list().getItems();
        if (!eps.isEmpty() && eps.stream().allMatch(e -> e.getStatus() != null
            && Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY)
            && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED))) {
          return 0;
        }
        sleep(200);
      }
    }
    throw new LabException("endpoints not ready after " + seconds + " s (cnm-lab get endpoints shows why)");
  }

  // ---- sandboxes

  int sandbox(List<String> args) {
    if (args.size() < 2 || !args.get(0).equals("add")) {
      return bad("usage: sandbox add NAME --node NODE");
    }
    String name = args.get(1);
    if (!name.matches("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")) {
      return bad("sandbox name must be lower-case letters, digits and '-' (at most 32)");
    }
    int n = args.indexOf("--node");
    if (n < 0 || n + 1 >= args.size()) {
      return bad("--node NODE is required");
    }
    requireRoot();
    client().close();
    String ns = PREFIX + name;
    if (Files.exists(Path.of("/run/netns", ns))) {
      throw new LabException("sandbox " + name + " already exists");
    }
    Sh.run("ip", "netns", "add", ns);
    Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
    System.out.println("sandbox " + name + " on " + args.get(n + 1) + ": netnsPath /run/netns/" + ns);
    return 0;
  }

  int exec(List<String> args) {
    boolean detach = !args.isEmpty() && args.get(0).equals("-d");
    List<String> a = detach ? args.subList(1, args.size()) : args;
    int dash = a.indexOf("--");
    if (a.isEmpty() || dash != 1 || dash == a.size() - 1) {
      return bad("usage: exec [-d] SANDBOX -- CMD...");
    }
    String ns = a.get(0).equals("underlay") ? UNDERLAY : PREFIX + a.get(0);
    if (!Files.exists(Path.of("/run/netns", ns))) {
      throw new LabException("no sandbox " + a.get(0) + " (cnm-lab sandbox add " + a.get(0) + " --node node1)");
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(a.subList(dash + 1, a.size()));
    if (detach) {
      new Processes(state).start("exec-" + a.get(0) + "-" + System.nanoTime(), cmd, Map.of());
      return 0;
    }
    try {
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  // ---- helpers

  /**
   * The daemon's JVM settings as the chart ships them (nodeDaemon.jvmOptions in the chart's values),
   * so the lab measures what a cluster runs; CNM_LAB_DAEMON_JAVA_OPTS replaces them.
   */
  List<String> daemonJvmOptions() {
    String opts = System.getenv("CNM_LAB_DAEMON_JAVA_OPTS");
    if (opts == null) {
      opts = chartJvmOptions("nodeDaemon");
    }
    return opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
  }

  /** The operator's JVM settings as the chart ships them (operator.jvmOptions). */
  String operatorJvmOptions() {
    return chartJvmOptions("operator");
  }

  /** {@code SECTION.resources.limits.memory} from the chart's values, in MiB; -1 when absent. */
  long chartMemoryLimitMiB(String section) {
    String limit = chartValue(section, "limits: \\{memory: (\\d+)Mi\\}");
    return limit.isEmpty() ? -1 : Long.parseLong(limit);
  }

  /** {@code SECTION.jvmOptions} from the chart's values; empty for a lab outside the repository (the JVM's defaults). */
  private String chartJvmOptions(String section) {
    return chartValue(section, "jvmOptions: \"([^\"]*)\"");
  }

  /** The first group of {@code pattern} at the start of a line in {@code SECTION:} of the chart's values; empty when absent. */
  private String chartValue(String section, String pattern) {
    try {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?ms)^" + section + ":.*?^ +" + pattern)
          .matcher(Files.readString(home.resolve("helm/cnm-operator/values.yaml")));
      return m.find() ? m.group(1) : "";
    } catch (IOException e) {
      return "";
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** This program's classpath: the cnm-lab jar, or the test classpath in our own tests. */
  static String classpath() {
    return System.getProperty("java.class.path");
  }

  Path state() {
    return state;
  }

  /** How many nodes the running lab has. */
  int nodes() {
    try {
      Path f = state.resolve("nodes");
      return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim()) : 1;
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }

  static void requireRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new LabException("cnm-lab needs root (it creates network namespaces)");
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted");
    }
  }

}
