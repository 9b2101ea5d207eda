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
}
