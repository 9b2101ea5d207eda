package io.cnm.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {
  KubernetesClient client;

  static CnmEndpoint endpoint() {
    CnmEndpoint ep = new CnmEndpoint();
    ep.getMetadata().setName("db");
    ep.getMetadata().setNamespace("test");
    ep.getMetadata().setUid("u-1");
    return ep;
  }

  @Test
  void eventsReachTheApi_inTheOrderRecorded() {
    EventRecorder events = new EventRecorder(client);
    for (int i = 0; i < 5; i++) {
      events.normal(endpoint(), "Bound", "step " + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("test").list().getItems().size() == 5);
    List<Event> sent = client.v1().events().inNamespace("test").list().getItems();
    sent.sort(Comparator.comparing(e -> Integer.valueOf(e.getMetadata().getResourceVersion())));
    assertThat(sent).extracting(Event::getMessage).containsExactly("step 0", "step 1", "step 2", "step 3", "step 4");
    assertThat(sent.get(0).getInvolvedObject().getUid()).isEqualTo("u-1");
    assertThat(sent.get(0).getInvolvedObject().getKind()).isEqualTo("CnmEndpoint");
  }

  /** An API server that takes the connection and never answers: recording must not wait for it (the reconcile would). */
  @Test
  void recording_doesNotWaitForTheApi() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + silent.getLocalPort()).withRequestTimeout(10_000)
          .withConnectionTimeout(10_000).withRequestRetryBackoffLimit(0).build();
      try (KubernetesClient hanging = new KubernetesClientBuilder().withConfig(config).build()) {
        EventRecorder events = new EventRecorder(hanging);
        long start = System.nanoTime();
        events.warning(endpoint(), "AddressInUse", "held by another endpoint");
        events.normal(endpoint(), "Bound", "bound");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      }
    }
  }
}
