package io.cnm.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.daemon.kube.DaemonKindsTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The process's API client reads the daemon's kinds into their classes and scans the class path for no other. */
class MainClientTest {
  static Object objectOf(KubernetesClient client, String apiVersion, String kind) {
    return client.getKubernetesSerialization().unmarshal(DaemonKindsTest.event("ADDED", apiVersion, kind), WatchEvent.class).getObject();
  }

  @Test
  void readsTheDaemonsKindsAndScansNothing() {
    try (KubernetesClient client = Main.client()) {
      assertThat(objectOf(client, "cnm.io/v1alpha1", "CnmEndpoint")).isInstanceOf(CnmEndpoint.class);
      // The default scan would find the Gateway API's class for this (its model is on the class path).
      assertThat(objectOf(client, "gateway.networking.k8s.io/v1", "GRPCRoute")).isExactlyInstanceOf(GenericKubernetesResource.class);
    }
  }
}
