package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.OverlayOptions;
import io.cnm.api.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A catalogue of bad inputs. Each is answered by Ready=False with a reason and a message a user
 * can act on, and nothing else changes: the healthy network "good" (10.6.0.0/24, VNI 7000) and
 * its endpoint "good-ep" (10.6.0.10) keep their status to the letter.
 */
class BadInputApiTest {
  static OperatorHarness h;
  static String goodNetworkStatus;
  static String goodEndpointStatus;

  @BeforeAll
  static void start() throws InterruptedException {
    h = new OperatorHarness().start();
    CnmNetwork good = network("good", "overlay", "10.6.0.0/24");
    OverlayOptions o = new OverlayOptions();
    o.setVni(7000);
    good.getSpec().setOverlay(o);
    h.client.resource(good).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.network("good")) != null);
    h.client.resource(netnsEndpoint("good-ep", "good", "node-1", "10.6.0.10")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint("good-ep")) != null && "True".equals(ready(h.endpoint("good-ep")).getStatus()));
    // The bad objects come at least a second later (the API's resolution), so "good" is older than each of them even
    // where their names sort first: conflicts go to the older object.
    Thread.sleep(1_100);
    goodNetworkStatus = io.fabric8.kubernetes.client.utils.Serialization.asJson(h.network("good").getStatus());
    goodEndpointStatus = io.fabric8.kubernetes.client.utils.Serialization.asJson(h.endpoint("good-ep").getStatus());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Condition ready(HasMetadata o) {
    Object status = o instanceof CnmNetwork n ? n.getStatus() : o instanceof CnmEndpoint e ? e.getStatus() : null;
    if (status == null) {
      return null;
    }
    var conditions = status instanceof io.cnm.api.v1alpha1.CnmNetworkStatus ns ? ns.getConditions()
        : ((io.cnm.api.v1alpha1.CnmEndpointStatus) status).getConditions();
    return Conditions.find(conditions, Conditions.READY).orElse(null);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("subnet taken by another network", (Supplier<HasMetadata>) () -> network("b1", "bridge", "10.6.0.0/25"),
            "SubnetConflict", "overlaps 10.6.0.0/24 of network test/good"),
        Arguments.of("VNI taken", (Supplier<HasMetadata>) () -> {
          CnmNetwork n = network("b2", "overlay", "10.7.0.0/24");
          OverlayOptions o = new OverlayOptions();
          o.setVni(7000);
          n.getSpec().setOverlay(o);
          return n;
        }, "VniConflict", "VNI 7000 is already used by network test/good"),
        Arguments.of("gateway outside the subnet", (Supplier<HasMetadata>) () -> {
          CnmNetwork n = network("b3", "bridge", "10.8.0.0/24");
          n.getSpec().getIpam().getConfig().get(0).setGateway("10.9.0.1");
          return n;
        }, "InvalidSpec", "gateway must be inside the subnet"),
        Arguments.of("macvlan without parent", (Supplier<HasMetadata>) () -> network("b4", "macvlan", "10.8.1.0/24"),
            "InvalidSpec", "macvlan networks require macvlan.parent"),
        Arguments.of("remote IPAM driver", (Supplier<HasMetadata>) () -> {
          CnmNetwork n = network("b5", "bridge");
          io.cnm.api.v1alpha1.Ipam i = new io.cnm.api.v1alpha1.Ipam();
          i.setDriver("infoblox");
          n.getSpec().setIpam(i);
          return n;
        }, "IpamDriverUnavailable", "'infoblox' is not available"),
        Arguments.of("static address in use", (Supplier<HasMetadata>) () -> netnsEndpoint("b6", "good", "node-1", "10.6.0.10"),
            "AddressInUse", "10.6.0.10 is already in use by test/good-ep"),
        Arguments.of("static address outside the subnet", (Supplier<HasMetadata>) () -> netnsEndpoint("b7", "good", "node-1", "10.1.0.10"),
            "AddressOutOfRange", "10.1.0.10 is not in any subnet"),
        Arguments.of("static address is the gateway", (Supplier<HasMetadata>) () -> netnsEndpoint("b8", "good", "node-1", "10.6.0.1"),
            "AddressInUse", "reserved"),
        Arguments.of("unknown network", (Supplier<HasMetadata>) () -> netnsEndpoint("b9", "nope", "node-1", null),
            "NetworkNotFound", "network nope does not exist"),
        Arguments.of("endpoint with two sandbox forms", (Supplier<HasMetadata>) () -> {
          CnmEndpoint e = netnsEndpoint("b10", "good", "node-1", null);
          e.getSpec().getSandbox().setPod("web");
          return e;
        }, "InvalidSpec", "sandbox needs exactly one of"),
        Arguments.of("pod that does not exist", (Supplier<HasMetadata>) () -> Objects.podEndpoint("b11", "good", "ghost"),
            "PodNotFound", "pod ghost does not exist"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInput_isAnsweredByItsCondition_andNothingElseChanges(String what, Supplier<HasMetadata> make, String reason, String message) {
    HasMetadata bad = make.get();
    h.client.resource(bad).create();
    Supplier<HasMetadata> current = () -> bad instanceof CnmNetwork ? h.network(bad.getMetadata().getName()) : h.endpoint(bad.getMetadata().getName());
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(current.get()) != null && reason.equals(ready(current.get()).getReason()));
    Condition c = ready(current.get());
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getMessage()).contains(message);
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(h.network("good").getStatus())).isEqualTo(goodNetworkStatus);
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(h.endpoint("good-ep").getStatus())).isEqualTo(goodEndpointStatus);
    assertThat(h.ipam().leakedAddresses()).isZero();
  }
}
