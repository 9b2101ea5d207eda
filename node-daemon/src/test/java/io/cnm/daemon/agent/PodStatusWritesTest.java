package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.status.ApiServerDispatcher;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's two writes on a pod that asked for networks, against an API server that refuses
 * stale status writes: one request each, and nothing of the kubelet's lost, also when the
 * daemon's copy of the pod is older than the kubelet's last write.
 */
class PodStatusWritesTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void setUp() {
    server = ApiServerDispatcher.start();
    client = server.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("t").endMetadata().build()).create();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  private Pod pod() {
    return client.pods().inNamespace("t").resource(new PodBuilder().withNewMetadata().withName("web").withNamespace("t")
        .withAnnotations(Map.of("cnm.io/networks", "front", "team", "blue")).endMetadata()
        .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus().build()).create();
  }

  /** The kubelet's write: its Ready condition turned True. */
  private void kubeletReady() {
    client.pods().inNamespace("t").withName("web").editStatus(p -> {
      p.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
      p.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready").withStatus("True").build());
      return p;
    });
  }

  /** What the API server was asked about the pod since the last call, as "METHOD path". */
  private List<String> requestsOnThePod() throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS); r != null; r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      if (r.getPath().startsWith("/api/v1/namespaces/t/pods/web")) {
        out.add(r.getMethod() + " " + r.getPath());
      }
    }
    return out;
  }

  private Pod now() {
    return client.pods().inNamespace("t").withName("web").get();
  }

  @Test
  void theCondition_fromACurrentCopy_isOneStatusWrite_andTheKubeletsConditionsStay() throws Exception {
    Pod copy = pod();
    requestsOnThePod();
    PodNetworkStatus.writeCondition(client, copy, PodNetworkStatus.condition(copy, 1, 1));
    assertThat(requestsOnThePod()).containsExactly("PUT /api/v1/namespaces/t/pods/web/status");
    assertThat(now().getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactlyInAnyOrder("Ready=False", "cnm.io/networks-ready=True");
  }

  @Test
  void theCondition_fromACopyOlderThanTheKubeletsWrite_isPutOnThePodAsItIsNow() throws Exception {
    Pod stale = pod();
    kubeletReady();
    requestsOnThePod();
    PodNetworkStatus.writeCondition(client, stale, PodNetworkStatus.condition(stale, 1, 1));
    // Refused once (stale), then read and written again.
    assertThat(requestsOnThePod()).containsExactly("PUT /api/v1/namespaces/t/pods/web/status", "GET /api/v1/namespaces/t/pods/web",
        "PUT /api/v1/namespaces/t/pods/web/status");
    assertThat(now().getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactlyInAnyOrder("Ready=True", "cnm.io/networks-ready=True");
  }

  @Test
  void theAnnotation_isOneMergePatch_fromAnyCopy_andThePodsOtherAnnotationsStay() throws Exception {
    Pod stale = pod();
    kubeletReady();
    requestsOnThePod();
    String value = PodNetworkStatus.annotation(List.of(new PodNetworkStatus.Attached("t/front", "eth0", List.of("10.1.0.2"),
        "02:42:0a:01:00:02")));
    PodNetworkStatus.writeAnnotation(client, stale, value);
    assertThat(requestsOnThePod()).containsExactly("PATCH /api/v1/namespaces/t/pods/web");
    Pod pod = now();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(PodNetworkStatus.ANNOTATION, value).containsEntry("team", "blue")
        .containsEntry("cnm.io/networks", "front");
    assertThat(pod.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).containsExactly("Ready=True");
  }
}
