package io.cnm.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.gossip.GossipKeys;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gossip keyring Secret on the mock API server (namespace cnm-system), with a clock the test moves. */
class GossipKeyRotatorTest {
  KubernetesMockServer server;
  KubernetesClient client;
  Instant now = Instant.parse("2026-11-28T00:00:00Z");

  @BeforeEach
  void setUp() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("cnm-system").endMetadata().build()).create();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  GossipKeyRotator rotator() {
    return new GossipKeyRotator(client, "cnm-system", Duration.ofHours(12), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void missingSecret_isCreatedWithOneKey_andNotRotatedBeforeThePeriod() {
    Secret s = rotator().reconcile();
    List<byte[]> keys = GossipKeys.parse(s);
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0)).hasSize(32);
    now = now.plus(Duration.ofHours(11));
    assertThat(GossipKeys.parse(rotator().reconcile()).get(0)).isEqualTo(keys.get(0));
  }

  @Test
  void rotation_putsANewPrimaryFirst_andKeepsAtMostTheTwoBefore() {
    byte[] first = GossipKeys.parse(rotator().reconcile()).get(0);
    now = now.plus(Duration.ofHours(12));
    List<byte[]> two = GossipKeys.parse(rotator().reconcile());
    assertThat(two).hasSize(2);
    assertThat(two.get(1)).isEqualTo(first);
    assertThat(two.get(0)).isNotEqualTo(first);
    for (int i = 0; i < 3; i++) {
      now = now.plus(Duration.ofHours(12));
      rotator().reconcile();
    }
    List<byte[]> ring = GossipKeys.parse(client.secrets().inNamespace("cnm-system").withName(GossipKeys.SECRET).get());
    assertThat(ring).hasSize(GossipKeys.MAX);
    assertThat(ring).doesNotContain(first);
  }
}
