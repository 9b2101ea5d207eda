package io.cnm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The shipped artefacts on a real cluster: a Kind cluster of two workers (made with the kind CLI,
 * which {@code kind load image-archive} needs too), the archives {@code make images} built loaded
 * into it, the chart installed with helm, and two pods on two nodes annotated onto one overlay
 * network: each reaches the other and resolves its name at the embedded DNS (127.0.0.11); and an
 * endpoint stored with the operator's labels and finalizer by the chart's admission webhook. Skipped,
 * with the reason, where no Docker engine is reachable, kind is not on PATH or the images are not
 * built. What it checks is also covered by lab tests (LabImagesTest, LabOverlayTest), which run here.
 */
class ChartOnKindE2E {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String CLUSTER = "cnm-e2e";
  static Path kubeconfig;
  static KubernetesClient client;

  /** Skips the test unless {@code ok}, printing why (a skipped test's reason is otherwise only in the report). */
  static void requires(boolean ok, String why) {
    if (!ok) {
      System.out.println("ChartOnKindE2E skipped: " + why);
    }
    assumeTrue(ok, why);
  }

  @BeforeAll
  static void cluster() throws Exception {
    requires(DockerClientFactory.instance().isDockerAvailable(), "no Docker engine is reachable");
    requires(run(List.of("sh", "-c", "command -v kind")).contains("/"), "the kind CLI is not on PATH");
    for (String c : List.of("operator", "node-daemon")) {
      requires(Files.exists(archive(c)), archive(c) + " is not built (make images)");
    }
    Path config = Files.createTempFile("kind", ".yaml");
    Files.writeString(config, """
        kind: Cluster
        apiVersion: kind.x-k8s.io/v1alpha4
        nodes:
          - role: control-plane
          - role: worker
          - role: worker
        """);
    run(List.of("kind", "create", "cluster", "--name", CLUSTER, "--config", config.toString(), "--wait", "180s"));
    for (String c : List.of("operator", "node-daemon")) {
      run(List.of("kind", "load", "image-archive", archive(c).toString(), "--name", CLUSTER));
    }
    kubeconfig = Files.createTempFile("kubeconfig", "");
    Files.writeString(kubeconfig, run(List.of("kind", "get", "kubeconfig", "--name", CLUSTER)));
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    // The images are the loaded ones: never pulled.
    new Helm(HOME.resolve("helm/cnm-operator")).install().withName("cnm").withNamespace("cnm-system").createNamespace()
        .withKubeConfig(kubeconfig).set("image.pullPolicy", "Never").set("operator.replicas", "1").waitReady().call();
  }

  @AfterAll
  static void deleteCluster() throws Exception {
    if (client != null) {
      client.close();
    }
    if (kubeconfig != null) {
      run(List.of("kind", "delete", "cluster", "--name", CLUSTER));
    }
  }

  @Test
  void twoPodsOnTwoNodes_onOneOverlay_talkAndResolveEachOther() throws Exception {
    createNetwork("e2e-net", "overlay");
    List<String> workers = workers();
    assertThat(workers).hasSize(2);
    for (int i = 0; i < 2; i++) {
      Pod p = new PodBuilder().withNewMetadata().withName("pod" + i).withNamespace("default")
          .withAnnotations(Map.of("cnm.io/networks", "e2e-net")).endMetadata()
          .withNewSpec().withNodeName(workers.get(i)).addNewContainer().withName("c").withImage("busybox:1.36")
          .withCommand("sleep", "3600").endContainer().endSpec().build();
      client.resource(p).create();
      client.pods().inNamespace("default").withName("pod" + i).waitUntilReady(180, TimeUnit.SECONDS);
    }
    client.resources(CnmEndpoint.class).inNamespace("default").withName("pod1-e2e-net").waitUntilCondition(e -> e != null
        && e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY)
        && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED), 120, TimeUnit.SECONDS);
    client.resources(CnmEndpoint.class).inNamespace("default").withName("pod0-e2e-net").waitUntilCondition(e -> e != null
        && e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.REALIZED), 120, TimeUnit.SECONDS);
    String ip1 = client.resources(CnmEndpoint.class).inNamespace("default").withName("pod1-e2e-net").get().getStatus().getIpv4Address()
        .split("/")[0];
    assertThat(exec("pod0", "ping", "-c", "3", "-W", "2", ip1)).contains("3 packets received");
    assertThat(exec("pod0", "nslookup", "pod1", "127.0.0.11")).contains(ip1);
  }

  @Test
  void anEndpointIsStoredWithTheOperatorsLabelsAndFinalizer_byTheChartsAdmissionWebhook() throws Exception {
    createNetwork("e2e-adm", "bridge");
    String worker = workers().get(0);
    // The create's answer is the object as the API server stored it, before the operator saw it:
    // what it carries came through the chart's webhook (its Service, certificate and registration).
    // The Service may route to the operator a moment after helm's wait; the webhook fails open meanwhile.
    CnmEndpoint created = null;
    for (int attempt = 0; attempt < 30 && (created == null || created.getMetadata().getFinalizers().isEmpty()); attempt++) {
      if (created != null) {
        client.resource(created).delete();
        Thread.sleep(2000);
      }
      created = client.resource(endpoint("adm-" + attempt, "e2e-adm", worker)).create();
    }
    assertThat(created.getMetadata().getFinalizers()).containsExactly("cnmendpoints.cnm.io/finalizer");
    assertThat(created.getMetadata().getLabels()).containsEntry(CnmEndpoint.NODE_LABEL, worker)
        .containsEntry(CnmEndpoint.NETWORK_LABEL, "e2e-adm");
  }

  private static CnmEndpoint endpoint(String name, String network, String node) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("default");
    e.setSpec(new CnmEndpointSpec());
    e.getSpec().setNetwork(network);
    e.getSpec().setSandbox(new Sandbox());
    e.getSpec().getSandbox().setNodeName(node);
    e.getSpec().getSandbox().setNetnsPath("/run/netns/" + name);
    return e;
  }

  private static void createNetwork(String name, String driver) {
    CnmNetwork net = new CnmNetwork();
    net.getMetadata().setName(name);
    net.getMetadata().setNamespace("default");
    CnmNetworkSpec spec = new CnmNetworkSpec();
    spec.setDriver(driver);
    net.setSpec(spec);
    client.resource(net).create();
  }

  private static List<String> workers() {
    return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).filter(n -> n.contains("worker")).sorted().toList();
  }

  private static String exec(String pod, String... cmd) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var w = client.pods().inNamespace("default").withName(pod).writingOutput(out).writingError(out).exec(cmd)) {
      w.exitCode().get(60, TimeUnit.SECONDS);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static Path archive(String component) throws Exception {
    String tag = Files.readString(HOME.resolve("helm/cnm-operator/Chart.yaml")).lines().filter(l -> l.startsWith("appVersion:"))
        .map(l -> l.substring("appVersion:".length()).replace("\"", "").trim()).findFirst().orElseThrow();
    return HOME.resolve("build/images/" + component + "-" + tag + ".oci-archive");
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 && !cmd.get(0).equals("sh")) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
