package io.cnm.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chart lints, renders what a cluster needs, and ships exactly the CRDs the build generated. */
class HelmChartTest {
  static final Path CHART = Path.of("cnm-operator");
  static List<HasMetadata> rendered;

  @BeforeAll
  static void render() {
    String yaml = new Helm(CHART).template().withName("cnm").withNamespace("cnm-system").call();
    rendered = Stream.of(yaml.split("(?m)^---\\s*$"))
        .filter(doc -> doc.contains("kind:"))
        .map(doc -> (HasMetadata) Serialization.unmarshal(doc))
        .toList();
  }

  @Test
  void chart_passesStrictLint() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnmnetworks", "cnmendpoints", "cnmservices"})
  void chartCrd_isIdenticalToTheGeneratedOne(String plural) throws IOException {
    String generated;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/" + plural + ".cnm.io-v1.yml")) {
      assertThat(in).as("generated CRD on the classpath (crds module)").isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String shipped = Files.readString(CHART.resolve("crds/" + plural + ".cnm.io.yaml"));
    assertThat(shipped).as("helm/cnm-operator/crds/%s.cnm.io.yaml drifted from the generated CRD: run `make crds`", plural)
        .isEqualTo(generated);
  }

  @Test
  void ingressNetwork_isRenderedAsAnOverlayMarkedIngress_withItsOwnSubnet() {
    HasMetadata ingress = rendered.stream().filter(o -> o.getKind().equals("CnmNetwork")).findFirst().orElseThrow();
    String yaml = Serialization.asYaml(ingress);
    assertThat(ingress.getMetadata().getName()).isEqualTo("ingress");
    assertThat(ingress.getMetadata().getNamespace()).isEqualTo("cnm-system");
    assertThat(yaml).contains("driver: \"overlay\"").contains("ingress: true").contains("10.255.0.0/16");
  }

  @Test
  void operator_isADeploymentWithLeaderElectionAndHealthProbes() {
    Deployment d = one(Deployment.class);
    assertThat(d.getSpec().getReplicas()).isGreaterThan(1);
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(env(c, "CNM_LEADER_ELECTION_ENABLED")).isEqualTo("true");
    assertThat(env(c, "CNM_IPAM_LOCAL_POOLS")).startsWith("172.17.0.0/16@16,").endsWith("192.168.0.0/16@20");
    assertThat(env(c, "CNM_IPAM_CLUSTER_POOLS")).isEqualTo("10.0.0.0/8@24");
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  @Test
  void dockerPluginDirectories_areTheHostsOnEveryNode_andTheOperatorsOwn_withSidecarsAndSpecs() {
    DaemonSet ds = one(DaemonSet.class);
    Container daemon = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(daemon, "CNM_PLUGINS_SOCKETS_DIR")).isEqualTo("/run/docker/plugins");
    assertThat(env(daemon, "CNM_PLUGINS_SPEC_DIRS")).isEqualTo("/etc/docker/plugins,/usr/lib/docker/plugins");
    assertThat(env(daemon, "CNM_STATE_DIR")).isEqualTo("/var/lib/cnm");
    for (String dir : List.of("/run/docker/plugins", "/etc/docker/plugins", "/usr/lib/docker/plugins")) {
      assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo(dir));
      assertThat(daemon.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(dir));
    }

    String yaml = new Helm(CHART).template().withName("cnm").withNamespace("cnm-system")
        .set("plugins.operator.sidecars[0].name", "corp-ipam").set("plugins.operator.sidecars[0].image", "corp/ipam:1.4")
        .set("plugins.operator.specs.infoblox", "tcp://infoblox-ipam.infra.svc:9000").call();
    List<HasMetadata> objects = Stream.of(yaml.split("(?m)^---\\s*$")).filter(doc -> doc.contains("kind:"))
        .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList();
    Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).extracting(Container::getName).containsExactly("operator", "corp-ipam");
    assertThat(containers.get(1).getVolumeMounts()).singleElement().satisfies(m -> {
      assertThat(m.getName()).isEqualTo("plugin-sockets");
      assertThat(m.getMountPath()).isEqualTo("/run/docker/plugins");
    });
    assertThat(containers.get(0).getVolumeMounts()).extracting(io.fabric8.kubernetes.api.model.VolumeMount::getMountPath)
        .contains("/run/docker/plugins", "/etc/docker/plugins");
    io.fabric8.kubernetes.api.model.ConfigMap specs = objects.stream().filter(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance)
        .map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast).findFirst().orElseThrow();
    assertThat(specs.getData()).containsEntry("infoblox.spec", "tcp://infoblox-ipam.infra.svc:9000");
  }

  @Test
  void nodeDaemon_isAPrivilegedHostNetworkDaemonSetOnEveryNode() {
    DaemonSet ds = one(DaemonSet.class);
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getHostPID()).isTrue();
    Container c = pod.getContainers().get(0);
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(c.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("NODE_NAME");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    });
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/run/netns"));
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/proc"));
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/run/netns");
      assertThat(m.getMountPropagation()).isEqualTo("Bidirectional");
    });
    assertThat(pod.getTolerations()).anySatisfy(t -> {
      assertThat(t.getOperator()).isEqualTo("Exists");
      assertThat(t.getKey()).isNull();
    });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
  }

  @Test
  void operatorRbac_coversWhatItDoesAndNoMore() {
    ClusterRole role = clusterRole("cnm-operator");
    assertThat(verbs(role, "cnm.io", "cnmendpoints")).containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
    assertThat(verbs(role, "cnm.io", "cnmnetworks")).doesNotContain("create", "delete");
    assertThat(verbs(role, "cnm.io", "cnmnetworks/status")).contains("update", "patch");
    assertThat(verbs(role, "", "pods")).containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(role, "", "secrets")).isEmpty();
    assertThat(role.getRules()).noneSatisfy(r -> assertThat(r.getResources()).contains("*"));
    Role lease = role("cnm-operator-leader-election");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("cnm-system");
    assertThat(lease.getRules()).singleElement().satisfies(r -> assertThat(r.getResources()).containsExactly("leases"));
    Role keys = role("cnm-operator-gossip-keys");
    assertThat(keys.getMetadata().getNamespace()).isEqualTo("cnm-system");
    assertThat(keys.getRules()).allSatisfy(r -> assertThat(r.getResources()).containsAnyOf("secrets", "configmaps").hasSize(1));
    // The gossip keyring and the cluster CA: its key in a Secret, its certificate in a ConfigMap for the daemons.
    assertThat(keys.getRules()).filteredOn(r -> !r.getResourceNames().isEmpty() && r.getResources().contains("secrets"))
        .singleElement().satisfies(r -> assertThat(r.getResourceNames()).containsExactlyInAnyOrder("cnm-gossip-keys", "cnm-ca",
            "cnm-operator-webhook-tls"));
    assertThat(keys.getRules()).filteredOn(r -> !r.getResourceNames().isEmpty() && r.getResources().contains("configmaps"))
        .singleElement().satisfies(r -> assertThat(r.getResourceNames()).containsExactly("cnm-ca"));
    assertThat(keys.getRules()).filteredOn(r -> r.getResourceNames().isEmpty()).allSatisfy(r -> assertThat(r.getVerbs())
        .as("only create, which RBAC cannot limit to a name, is unrestricted").containsExactly("create"));
  }

  @Test
  void gossip_usesItsOwnPort_notDockersOrMetalLbs7946_andTheDaemonReadsOnlyTheKeyringSecret() {
    Container c = one(io.fabric8.kubernetes.api.model.apps.DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "CNM_GOSSIP_PORT")).isEqualTo("7947");
    assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).doesNotContain(7946);
    Role keys = role("cnm-node-daemon-gossip-keys");
    assertThat(keys.getRules()).filteredOn(r -> r.getResources().contains("secrets")).singleElement().satisfies(r -> {
      assertThat(r.getResourceNames()).containsExactly("cnm-gossip-keys");
      assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
    });
    // The CA's certificate only: the daemon's TLS key is its own, made on the node, and no Secret holds it.
    assertThat(keys.getRules()).filteredOn(r -> !r.getResources().contains("secrets")).singleElement().satisfies(r -> {
      assertThat(r.getResources()).containsExactly("configmaps");
      assertThat(r.getResourceNames()).containsExactly("cnm-ca");
      assertThat(r.getVerbs()).containsExactly("get");
    });
    assertThat(env(c, "CNM_GOSSIP_TLS_ENABLED")).isEqualTo("true");
    assertThat(env(c, "CNM_ENCRYPTION_REKEY_AFTER_PACKETS")).isEqualTo("1000000000");
  }

  @Test
  void embeddedDns_oneEventLoopUnlessSet() {
    Container c = one(io.fabric8.kubernetes.api.model.apps.DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "CNM_DNS_EVENT_LOOPS")).isEqualTo("1");
  }

  @Test
  void nodeDaemonJvm_boundsWhatItReserves_wellUnderTheContainersMemoryLimit() {
    Container c = one(io.fabric8.kubernetes.api.model.apps.DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    String opts = env(c, "JAVA_TOOL_OPTIONS");
    long mib = 0;
    for (String flag : List.of("-Xmx", "-XX:MaxMetaspaceSize=", "-XX:ReservedCodeCacheSize=", "-XX:MaxDirectMemorySize=")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(flag) + "(\\d+)m").matcher(opts);
      assertThat(m.find()).as("%s bounded in %s", flag, opts).isTrue();
      mib += Long.parseLong(m.group(1));
    }
    long limit = c.getResources().getLimits().get("memory").getNumericalAmount().longValue() / (1024 * 1024);
    // Threads' stacks, the JVM's own structures and libnftables live outside these: keep a quarter of the limit for them.
    assertThat(mib).as("heap + metaspace + code cache + direct memory against the %d MiB limit", limit).isLessThanOrEqualTo(limit * 3 / 4);
  }

  @Test
  void bothJvms_takeEveryOptionTheChartGivesThem() throws Exception {
    // A JVM refuses an unknown -XX flag, but only prints a CompileCommand it cannot parse and runs without it.
    Container daemon = one(DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    Container operator = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    for (Container c : List.of(daemon, operator)) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
          .redirectErrorStream(true);
      pb.environment().put("JAVA_TOOL_OPTIONS", env(c, "JAVA_TOOL_OPTIONS"));
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("%s: %s", c.getName(), out).isZero();
      String said = out.lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).collect(java.util.stream.Collectors.joining("\n"));
      assertThat(said).as(c.getName()).doesNotContainIgnoringCase("error").doesNotContain("Unrecognized").doesNotContain("Ignoring")
          .contains(" version \"");
    }
  }

  @Test
  void uninstall_aPreDeleteHookRunsTheOperatorsCleanup_withRightsOnCnmObjectsOnly() {
    // helm template (helm-java) leaves hooks out: the hook's template is rendered as a plain manifest to be read.
    assertThat(hookJob).as("the Job is a pre-delete hook").contains("helm.sh/hook: pre-delete");
    io.fabric8.kubernetes.api.model.batch.v1.Job job = renderedAsManifest(hookJob);
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand()).contains("io.cnm.operator.uninstall.Uninstall", "240");
    Container operator = one(io.fabric8.kubernetes.api.model.apps.Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(operator.getImage());
    assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("cnm-uninstall");
    ClusterRole role = clusterRole("cnm-uninstall");
    for (String plural : List.of("cnmnetworks", "cnmendpoints", "cnmservices")) {
      assertThat(verbs(role, "cnm.io", plural)).containsExactlyInAnyOrder("get", "list", "delete");
    }
    // Beyond cnm's objects, only the deletion of the operator's own webhook registration, by name.
    assertThat(role.getRules()).filteredOn(r -> !r.getApiGroups().contains("cnm.io")).singleElement().satisfies(r -> {
      assertThat(r.getApiGroups()).containsExactly("admissionregistration.k8s.io");
      assertThat(r.getResourceNames()).containsExactly("cnm-operator");
      assertThat(r.getVerbs()).containsExactly("delete");
    });
    assertThat(c.getCommand()).endsWith("240", "cnm-operator");
    // The daemons' heartbeat, read by the operator before it gives back a deleted endpoint's address.
    Role lease = role("cnm-node-daemon-lease");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("cnm-system");
    assertThat(lease.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getResources()).containsExactly("leases");
      assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "create", "update");
    });
  }

  static String hookJob;

  @BeforeAll
  static void readHook() throws java.io.IOException {
    hookJob = java.nio.file.Files.readString(CHART.resolve("templates/uninstall-hook.yaml"));
  }

  /** The chart rendered with this template's hook annotations removed, and its one Job. */
  private static io.fabric8.kubernetes.api.model.batch.v1.Job renderedAsManifest(String template) {
    try {
      Path copy = copyOfChart();
      java.nio.file.Files.writeString(copy.resolve("templates/uninstall-hook.yaml"), template.replaceAll("(?m)^\\s*helm\\.sh/hook.*$\\n", ""));
      String yaml = new Helm(copy).template().withName("cnm").withNamespace("cnm-system").call();
      return Stream.of(yaml.split("(?m)^---\\s*$")).filter(doc -> doc.contains("kind: Job"))
          .map(doc -> (io.fabric8.kubernetes.api.model.batch.v1.Job) Serialization.unmarshal(doc)).findFirst()
          .orElseThrow(() -> new AssertionError("no Job rendered"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A copy of the chart in a temporary directory, to change a file of it. */
  private static Path copyOfChart() throws IOException {
    Path copy = Files.createTempDirectory("chart");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path f : files.toList()) {
        Path to = copy.resolve(CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    return copy;
  }

  private static List<HasMetadata> parse(String yaml) {
    return Stream.of(yaml.split("(?m)^---\\s*$")).filter(doc -> doc.contains("kind:")).map(doc -> (HasMetadata) Serialization.unmarshal(doc))
        .toList();
  }

  @Test
  void admissionWebhook_everyReplicaServesItBehindAService_andTheOperatorMayWriteOnlyItsOwnRegistration() {
    Container operator = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getPorts()).anySatisfy(p -> {
      assertThat(p.getName()).isEqualTo("webhook");
      assertThat(p.getContainerPort()).isEqualTo(10250);
    });
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_ENABLED")).isEqualTo("true");
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_PORT")).isEqualTo("10250");
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_SERVICE")).isEqualTo("cnm-operator-webhook");
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_SECRET")).isEqualTo("cnm-operator-webhook-tls");
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_CONFIGURATION")).isEqualTo("cnm-operator");
    io.fabric8.kubernetes.api.model.Service svc = rendered.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service
        && o.getMetadata().getName().equals("cnm-operator-webhook")).map(o -> (io.fabric8.kubernetes.api.model.Service) o).findFirst().orElseThrow();
    assertThat(svc.getMetadata().getNamespace()).isEqualTo("cnm-system");
    assertThat(svc.getSpec().getSelector()).containsEntry("app.kubernetes.io/component", "operator").containsEntry("app.kubernetes.io/instance", "cnm");
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(443);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("webhook");
    });
    ClusterRole role = clusterRole("cnm-operator");
    assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("mutatingwebhookconfigurations")).satisfiesExactlyInAnyOrder(
        r -> {
          assertThat(r.getVerbs()).containsExactly("create");
          assertThat(r.getResourceNames()).isEmpty();
        },
        r -> {
          assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "update");
          assertThat(r.getResourceNames()).containsExactly("cnm-operator");
        });
  }

  @Test
  void admissionWebhook_off_rendersNoServiceNoRightsAndTellsTheOperator() {
    List<HasMetadata> off = parse(new Helm(CHART).template().withName("cnm").withNamespace("cnm-system")
        .set("operator.admissionWebhook.enabled", "false").call());
    Container operator = off.stream().filter(o -> o instanceof Deployment).map(o -> (Deployment) o).findFirst().orElseThrow()
        .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(operator, "CNM_ADMISSION_WEBHOOK_ENABLED")).isEqualTo("false");
    assertThat(operator.getPorts()).noneSatisfy(p -> assertThat(p.getName()).isEqualTo("webhook"));
    assertThat(off).noneSatisfy(o -> assertThat(o.getMetadata().getName()).isEqualTo("cnm-operator-webhook"));
    assertThat(off).filteredOn(o -> o instanceof ClusterRole).allSatisfy(o -> assertThat(((ClusterRole) o).getRules())
        .noneSatisfy(r -> assertThat(r.getResources()).contains("mutatingwebhookconfigurations")));
  }

  @Test
  void imagesAreTheBuildsVersion_theChartsAppVersion_andNameWhatMakeImagesBuilds() throws IOException {
    java.util.regex.Matcher pom = java.util.regex.Pattern.compile("<artifactId>cnm-operator-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("..", "pom.xml")));
    assertThat(pom.find()).isTrue();
    String release = pom.group(1).replace("-SNAPSHOT", "");
    assertThat(Files.readString(CHART.resolve("Chart.yaml"))).contains("appVersion: \"" + release + "\"");
    assertThat(one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/cnm-operator/operator:" + release);
    assertThat(one(DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/cnm-operator/node-daemon:" + release);
    assertThat(env(one(DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0), "CNM_DEBUG_ENABLED")).isEqualTo("true");
  }

  @Test
  void metrics_aServicePerComponentWithAPortNamedMetrics_andServiceMonitorsWhenAsked() {
    List<io.fabric8.kubernetes.api.model.Service> services = rendered.stream().filter(io.fabric8.kubernetes.api.model.Service.class::isInstance)
        .map(io.fabric8.kubernetes.api.model.Service.class::cast).filter(svc -> svc.getMetadata().getName().endsWith("-metrics")).toList();
    assertThat(services).extracting(o -> o.getMetadata().getName()).containsExactlyInAnyOrder("cnm-operator-metrics", "cnm-node-daemon-metrics");
    for (var svc : services) {
      assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("metrics"));
    }
    assertThat(services).filteredOn(o -> o.getMetadata().getName().equals("cnm-node-daemon-metrics")).singleElement()
        .satisfies(svc -> assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(9464));
    assertThat(rendered).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
    List<HasMetadata> withMonitors = parse(new Helm(CHART).template().withName("cnm").withNamespace("cnm-system")
        .set("metrics.serviceMonitor.enabled", "true").set("metrics.serviceMonitor.labels.release", "kube-prometheus").call());
    List<HasMetadata> monitors = withMonitors.stream().filter(o -> o.getKind().equals("ServiceMonitor")).toList();
    assertThat(monitors).hasSize(2);
    for (HasMetadata m : monitors) {
      String yaml = Serialization.asYaml(m);
      assertThat(m.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
      assertThat(m.getMetadata().getLabels()).containsEntry("release", "kube-prometheus");
      assertThat(yaml).contains("port: \"metrics\"").contains("path: \"/q/metrics\"");
    }
  }

  @Test
  void operator_hasAPodDisruptionBudget_andSpreadsOverNodes_withBoundedJvmMemory() {
    var pdb = one(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", "operator");
    Deployment d = one(Deployment.class);
    var anti = d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(anti).singleElement().satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(env(d.getSpec().getTemplate().getSpec().getContainers().get(0), "JAVA_TOOL_OPTIONS"))
        .contains("-XX:MaxRAMPercentage=").contains("-XX:MaxMetaspaceSize=").contains("-XX:+ExitOnOutOfMemoryError");
    // One replica: a budget of one would block every drain.
    assertThat(parse(new Helm(CHART).template().withName("cnm").withNamespace("cnm-system").set("operator.replicas", "1").call()))
        .noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "nodeDaemon.httpPort|http|nodeDaemon.httpPort",
      "nodeDaemon.httpPort|70000|nodeDaemon.httpPort",
      "image.pullPolicy|Sometimes|image.pullPolicy",
      "operater.replicas|2|operater",
      "ipam.localPools[0].base|172.17.0.0|ipam.localPools.0.base",
      "nodeDaemon.gossip.keyRotation|twelve hours|nodeDaemon.gossip.keyRotation",
      "metrics.serviceMonitor.enabled|maybe|metrics.serviceMonitor.enabled",
      "nodeDaemon.dns.eventLoops|0|nodeDaemon.dns.eventLoops"})
  void wrongValue_isRefusedByTemplate_namingTheKey(String key, String value, String named) {
    // --set parses numbers and booleans as helm does: "70000" is an integer, "maybe" a string.
    var template = new Helm(CHART).template().withName("cnm").withNamespace("cnm-system").set(key, value);
    org.assertj.core.api.Assertions.assertThatThrownBy(template::call).hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void wrongValuesFile_failsLint() throws IOException {
    Path copy = copyOfChart();
    Files.writeString(copy.resolve("values.yaml"), Files.readString(CHART.resolve("values.yaml")).replace("  replicas: 2", "  replicas: two"));
    LintResult result = new Helm(copy).lint().strict().call();
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("operator.replicas");
  }

  private static Role role(String name) {
    return rendered.stream().filter(Role.class::isInstance).map(Role.class::cast).filter(r -> r.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no Role " + name));
  }

  @Test
  void nodeDaemonRbac_neverWritesTheSpecOfAnyCnmObject() {
    ClusterRole role = clusterRole("cnm-node-daemon");
    for (String plural : List.of("cnmnetworks", "cnmendpoints", "cnmservices")) {
      assertThat(verbs(role, "cnm.io", plural)).containsExactlyInAnyOrder("get", "list", "watch");
    }
    assertThat(verbs(role, "cnm.io", "cnmendpoints/status")).contains("patch");
    assertThat(verbs(role, "", "secrets")).isEmpty();
  }

  /** What the daemon's two writes on a pod need (PodNetworkStatus): a status PUT from its copy, a merge patch of the annotation. */
  @Test
  void nodeDaemonRbac_allowsThePodWritesItMakes() {
    ClusterRole role = clusterRole("cnm-node-daemon");
    assertThat(verbs(role, "", "pods/status")).contains("update");
    assertThat(verbs(role, "", "pods")).contains("get", "patch").doesNotContain("update", "create", "delete");
  }

  private static <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = rendered.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as("exactly one %s rendered", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static ClusterRole clusterRole(String nameSuffix) {
    return rendered.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
        .filter(r -> r.getMetadata().getName().equals("cnm-" + nameSuffix.replace("cnm-", "")))
        .findFirst().orElseThrow(() -> new AssertionError("no ClusterRole " + nameSuffix));
  }

  private static List<String> verbs(ClusterRole role, String group, String resource) {
    return role.getRules().stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .map(PolicyRule::getVerbs).flatMap(List::stream).toList();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

}
