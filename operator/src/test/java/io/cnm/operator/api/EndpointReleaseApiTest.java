package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.ready;
import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static io.cnm.operator.api.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.status.NodeDaemonLease;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.operator.uninstall.Uninstall;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deleted endpoint's address is given back only once its node says the interface is gone (or
 * the node's daemon is gone); and the uninstall hook removes every cnm object through the
 * operator, so no finalizer is left hanging.
 */
class EndpointReleaseApiTest {
  OperatorHarness h;

  @BeforeEach
  void setUp() {
    h = new OperatorHarness().start();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private boolean isReady(String name) {
    Condition c = ready(h.endpoint(name));
    return c != null && "True".equals(c.getStatus());
  }

  /** A /29: gateway .1, endpoints .2 to .6; all five taken. */
  private void fullNetwork() {
    h.client.resource(network("small", "bridge", "10.60.0.0/29")).create();
    for (int i = 2; i <= 6; i++) {
      h.client.resource(netnsEndpoint("ep" + i, "small", "node-1", "10.60.0." + i)).create();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.IntStream.rangeClosed(2, 6).allMatch(i -> isReady("ep" + i)));
  }

  private void realized(String name) {
    EndpointStatusOwners.writeDaemonPart(h.client, h.endpoint(name), true, "Realized", "eth0 in the sandbox on node node-1", "eth0");
  }

  @Test
  void anAddressStaysTaken_whileALiveNodeStillHoldsTheInterface_andIsGivenAgainOnceItSaysReleased() throws InterruptedException {
    fullNetwork();
    realized("ep4");
    NodeDaemonLease.renew(h.client, "test", "node-1", Instant.now());
    h.client.resource(h.endpoint("ep4")).delete();
    h.client.resource(netnsEndpoint("newcomer", "small", "node-1", null)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("newcomer")) != null);
    // The interface of ep4 still answers for 10.60.0.4: nobody else gets it, however long the node takes.
    Thread.sleep(3_000);
    assertThat(h.endpoint("ep4")).as("ep4 kept until its node says the interface is gone").isNotNull();
    assertThat(isReady("newcomer")).isFalse();
    assertThat(ready(h.endpoint("newcomer")).getMessage()).contains("10.60.0.0/29");

    long t0 = System.nanoTime();
    EndpointStatusOwners.writeDaemonPart(h.client, h.endpoint("ep4"), false, EndpointStatusOwners.RELEASED,
        "its interface left the sandbox on node node-1: the address can be given again", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.endpoint("ep4") == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> isReady("newcomer"));
    System.out.printf("released to re-used: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(h.endpoint("newcomer").getStatus().getIpv4Address()).isEqualTo("10.60.0.4/29");
  }

  @Test
  void aNodeWhoseDaemonStoppedRenewing_doesNotHoldAddressesHostage() {
    fullNetwork();
    realized("ep3");
    realized("ep5");
    // ep3's node stopped renewing a minute ago; ep5's node never had a daemon lease (uninstalled, or never ran).
    NodeDaemonLease.renew(h.client, "test", "node-1", Instant.now().minusSeconds(60));
    h.client.resource(h.endpoint("ep3")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.endpoint("ep3") == null);
    h.client.leases().inNamespace("test").withName(NodeDaemonLease.name("node-1")).delete();
    h.client.resource(h.endpoint("ep5")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.endpoint("ep5") == null);
    assertThat(h.ipam().leakedAddresses()).isZero();
  }

  @Test
  void anEndpointNeverRealized_isReleasedAtOnce() {
    fullNetwork();
    NodeDaemonLease.renew(h.client, "test", "node-1", Instant.now());
    h.client.resource(h.endpoint("ep2")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.endpoint("ep2") == null);
  }

  @Test
  void uninstall_removesEveryObjectThroughTheOperator_andPodsStillAskingGetNoNewEndpoints() {
    h.client.resource(network("pets", "bridge", "10.61.0.0/24")).create();
    h.client.resource(network("other", "bridge", "10.62.0.0/24")).create();
    h.client.resource(pod("app", "node-1", "pets")).create();
    h.client.resource(netnsEndpoint("db", "other", "node-1", null)).create();
    h.client.resource(Objects.service("api", List.of("pets"), Map.of("app", "api"))).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> isReady("app-pets") && isReady("db"));
    assertThat(h.endpoint("app-pets").getMetadata().getFinalizers()).isNotEmpty();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean done = Uninstall.run(h.client, Duration.ofSeconds(60), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(done).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    assertThat(h.client.resources(CnmNetwork.class).inAnyNamespace().list().getItems()).isEmpty();
    assertThat(h.client.resources(CnmEndpoint.class).inAnyNamespace().list().getItems()).isEmpty();
    assertThat(h.client.resources(CnmService.class).inAnyNamespace().list().getItems()).isEmpty();
    assertThat(h.ipam().leakedAddresses()).isZero();
  }

  @Test
  void uninstall_thatCannotFinish_saysWhatIsLeftAndWhy() {
    h.client.resource(network("pets", "bridge", "10.63.0.0/24")).create();
    CnmEndpoint ep = netnsEndpoint("stuck", "pets", "node-1", null);
    ep.getMetadata().setFinalizers(List.of("example.com/someone-else"));
    h.client.resource(ep).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> isReady("stuck"));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean done = Uninstall.run(h.client, Duration.ofSeconds(3), new PrintStream(out, true, StandardCharsets.UTF_8));
    String said = out.toString(StandardCharsets.UTF_8);
    assertThat(done).isFalse();
    assertThat(said).contains("CnmEndpoint test/stuck").contains("example.com/someone-else").contains("CnmNetwork test/pets");
  }
}
