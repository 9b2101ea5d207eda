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
    assertThat(keys.getRules()).allSatisfy(r -> assertThat(r.getResources()).containsExactly("secrets"));
    assertThat(keys.getRules()).filteredOn(r -> !r.getResourceNames().isEmpty())
        .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly("cnm-gossip-keys"));
    assertThat(keys.getRules()).filteredOn(r -> r.getResourceNames().isEmpty()).allSatisfy(r -> assertThat(r.getVerbs())
        .as("only create, which RBAC cannot limit to a name, is unrestricted").containsExactly("create"));
  }

  @Test
  void gossip_usesItsOwnPort_notDockersOrMetalLbs7946_andTheDaemonReadsOnlyTheKeyringSecret() {
    Container c = one(io.fabric8.kubernetes.api.model.apps.DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "CNM_GOSSIP_PORT")).isEqualTo("7947");
    assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).doesNotContain(7946);
    Role keys = role("cnm-node-daemon-gossip-keys");
    assertThat(keys.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getResourceNames()).containsExactly("cnm-gossip-keys");
      assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
    });
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
    assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getApiGroups()).containsExactly("cnm.io"));
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
      Path copy = java.nio.file.Files.createTempDirectory("chart");
      try (Stream<Path> files = java.nio.file.Files.walk(CHART)) {
        for (Path f : files.toList()) {
          Path to = copy.resolve(CHART.relativize(f).toString());
          if (java.nio.file.Files.isDirectory(f)) {
            java.nio.file.Files.createDirectories(to);
          } else {
            java.nio.file.Files.copy(f, to);
          }
        }
      }
      java.nio.file.Files.writeString(copy.resolve("templates/uninstall-hook.yaml"), template.replaceAll("(?m)^\\s*helm\\.sh/hook.*$\\n", ""));
      String yaml = new Helm(copy).template().withName("cnm").withNamespace("cnm-system").call();
      return Stream.of(yaml.split("(?m)^---\\s*$")).filter(doc -> doc.contains("kind: Job"))
          .map(doc -> (io.fabric8.kubernetes.api.model.batch.v1.Job) Serialization.unmarshal(doc)).findFirst()
          .orElseThrow(() -> new AssertionError("no Job rendered"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
