package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static io.cnm.operator.api.Objects.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.EndpointMode;
import io.cnm.api.status.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CnmService against the mock API server. Addresses: overlay "mynet" 10.4.0.0/24, bridge "pets" 10.5.0.0/24. */
class ServiceApiTest {
  OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness().start();
    h.client.resource(network("mynet", "overlay", "10.4.0.0/24")).create();
    h.client.resource(network("pets", "bridge", "10.5.0.0/24")).create();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  CnmService awaitReason(String name, String reason) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      CnmService s = h.service(name);
      return s != null && s.getStatus() != null && Conditions.find(s.getStatus().getConditions(), Conditions.READY)
          .map(c -> reason.equals(c.getReason())).orElse(false);
    });
    return h.service(name);
  }

  @Test
  void vipService_getsOneVipPerNetwork_andCountsReadyBackends() {
    h.client.resource(service("myservice", List.of("mynet", "pets"), Map.of("app", "web"))).create();
    CnmService s = awaitReason("myservice", "Allocated");
    assertThat(s.getStatus().getVirtualIPs()).extracting(v -> v.getNetwork() + "=" + v.getAddress())
        .containsExactly("mynet=10.4.0.2/24", "pets=10.5.0.2/24");
    for (int i = 0; i < 2; i++) {
      CnmEndpoint ep = netnsEndpoint("web" + i, "mynet", "node-" + (i + 1), null);
      ep.getMetadata().setLabels(Map.of("app", "web"));
      h.client.resource(ep).create();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(2).equals(h.service("myservice").getStatus().getBackends()));
    // Backends never receive the VIP.
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("web1").getStatus() != null && h.endpoint("web1").getStatus().getIpv4Address() != null);
    assertThat(h.endpoint("web0").getStatus().getIpv4Address()).isNotEqualTo("10.4.0.2/24");
    assertThat(h.endpoint("web1").getStatus().getIpv4Address()).isNotEqualTo("10.4.0.2/24");
  }

  @Test
  void dnsrrService_hasNoVip_andSwitchingReleasesIt() {
    h.client.resource(service("s", List.of("mynet"), Map.of("app", "x"))).create();
    awaitReason("s", "Allocated");
    CnmService edit = h.service("s");
    edit.getSpec().setEndpointMode(EndpointMode.DNSRR);
    h.client.resource(edit).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.service("s").getStatus().getVirtualIPs().isEmpty());
    assertThat(h.ipam().allocations().get("test/mynet").getOrDefault("", Map.of())).doesNotContainKey("svc:test/s");
  }

  @Test
  void serviceOnAMissingNetwork_waitsWithNetworkNotReady() {
    h.client.resource(service("lost", List.of("nowhere"), Map.of())).create();
    CnmService s = awaitReason("lost", "NetworkNotReady");
    assertThat(Conditions.find(s.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage()).contains("nowhere");
  }

  @Test
  void deletedService_releasesItsVips() {
    h.client.resource(service("tmp", List.of("mynet"), Map.of())).create();
    awaitReason("tmp", "Allocated");
    h.client.resource(h.service("tmp")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.service("tmp") == null);
    assertThat(h.ipam().allocations().get("test/mynet").getOrDefault("", Map.of())).doesNotContainKey("svc:test/tmp");
  }

  static io.cnm.api.v1alpha1.PublishedPort publish(io.cnm.api.v1alpha1.PublishMode mode, Integer published, int target) {
    return new io.cnm.api.v1alpha1.PublishedPort(mode, null, published, target);
  }

  @Test
  void publishedPorts_areGivenFromTheRangeWhenLeftOut_keptAcrossUpdates_andAPortHeldByAnotherIsAConflict() {
    CnmService a = service("a", List.of("mynet"), Map.of("app", "a"));
    a.getSpec().setPublish(List.of(publish(io.cnm.api.v1alpha1.PublishMode.INGRESS, null, 80),
        publish(io.cnm.api.v1alpha1.PublishMode.HOST, 8080, 8080)));
    h.client.resource(a).create();
    CnmService got = awaitReason("a", "Allocated");
    assertThat(got.getStatus().getPublishedPorts()).extracting(io.cnm.api.v1alpha1.PublishedPort::getPublished).containsExactly(30000, 8080);
    // The same service asking for 8080 again, and another asking for it: the second is refused, naming the holder.
    CnmService b = service("b", List.of("mynet"), Map.of("app", "b"));
    b.getSpec().setPublish(List.of(publish(io.cnm.api.v1alpha1.PublishMode.INGRESS, 8080, 80)));
    h.client.resource(b).create();
    CnmService refused = awaitReason("b", "PortConflict");
    assertThat(Conditions.find(refused.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("8080/tcp is held by service test/a");
    // a drops its host port: b gets it on its retry; a's allocated port stays 30000 through the update.
    CnmService edit = h.service("a");
    edit.getSpec().setPublish(List.of(publish(io.cnm.api.v1alpha1.PublishMode.INGRESS, null, 80)));
    h.client.resource(edit).update();
    await().atMost(Duration.ofSeconds(40)).until(() -> "Allocated".equals(Conditions.find(h.service("b").getStatus().getConditions(),
        Conditions.READY).orElseThrow().getReason()));
    assertThat(h.service("a").getStatus().getPublishedPorts()).extracting(io.cnm.api.v1alpha1.PublishedPort::getPublished)
        .containsExactly(30000);
    assertThat(h.service("b").getStatus().getPublishedPorts()).extracting(io.cnm.api.v1alpha1.PublishedPort::getPublished)
        .containsExactly(8080);
  }

  @Test
  void ingressNetwork_givesEveryNodeAnAddress_andTakesItBackWhenTheNodeLeaves() {
    for (String n : List.of("node-1", "node-2")) {
      h.client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(n).endMetadata().build())
          .create();
    }
    io.cnm.api.v1alpha1.CnmNetwork ingress = network("ingress", "overlay", "10.255.0.0/24");
    ingress.getSpec().setIngress(true);
    h.client.resource(ingress).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var n = h.client.resources(io.cnm.api.v1alpha1.CnmNetwork.class).inNamespace("test").withName("ingress").get();
      return n.getStatus() != null && n.getStatus().getIngressAddresses() != null && n.getStatus().getIngressAddresses().size() == 2;
    });
    var addresses = h.client.resources(io.cnm.api.v1alpha1.CnmNetwork.class).inNamespace("test").withName("ingress").get().getStatus()
        .getIngressAddresses();
    assertThat(addresses).containsOnlyKeys("node-1", "node-2");
    assertThat(addresses.values()).doesNotHaveDuplicates().allMatch(a -> a.startsWith("10.255.0.") && a.endsWith("/24"));
    h.client.nodes().withName("node-2").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.client.resources(io.cnm.api.v1alpha1.CnmNetwork.class).inNamespace("test")
        .withName("ingress").get().getStatus().getIngressAddresses().keySet().equals(java.util.Set.of("node-1")));
    assertThat(h.ipam().allocations().get("test/ingress").getOrDefault("", Map.of())).doesNotContainKey("ingress-node:node-2");
  }
}
