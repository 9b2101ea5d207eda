package io.cnm.operator.api;

import static io.cnm.operator.api.Objects.netnsEndpoint;
import static io.cnm.operator.api.Objects.network;
import static io.cnm.operator.api.Objects.pod;
import static io.cnm.operator.api.Objects.podEndpoint;
import static io.cnm.operator.api.Objects.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CnmEndpoint and pod-annotation reconciling against the mock API server. Addresses: bridge
 * "pets" 10.1.0.0/24 (gateway 10.1.0.1), overlay "ovnet" 10.2.0.0/24; nodes node-1, node-2.
 */
class EndpointApiTest {
  OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness().start();
    h.client.resource(network("pets", "bridge", "10.1.0.0/24")).create();
    h.client.resource(network("ovnet", "overlay", "10.2.0.0/24")).create();
    awaitNetwork("pets");
    awaitNetwork("ovnet");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  void awaitNetwork(String name) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      CnmNetwork n = h.network(name);
      return n != null && n.getStatus() != null && Conditions.isTrue(n.getStatus().getConditions(), Conditions.READY);
    });
  }

  CnmEndpoint awaitStatus(String name, String status) {
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint(name)) != null && status.equals(ready(h.endpoint(name)).getStatus()));
    return h.endpoint(name);
  }

  CnmEndpoint awaitReason(String name, String reason) {
    await().atMost(Duration.ofSeconds(20)).until(() -> ready(h.endpoint(name)) != null && reason.equals(ready(h.endpoint(name)).getReason()));
    return h.endpoint(name);
  }

  @Test
  void netnsEndpoint_isBoundWithAddressGatewayAndTheMacDockerDerives() {
    h.client.resource(netnsEndpoint("db", "pets", "node-1", null)).create();
    CnmEndpoint e = awaitStatus("db", "True");
    assertThat(e.getStatus().getIpv4Address()).isEqualTo("10.1.0.2/24");
    assertThat(e.getStatus().getGateway()).isEqualTo("10.1.0.1");
    assertThat(e.getStatus().getMacAddress()).isEqualTo("02:42:0a:01:00:02");
    assertThat(e.getStatus().getNodeName()).isEqualTo("node-1");
    assertThat(e.getStatus().getNetworkId()).isEqualTo(h.network("pets").getStatus().getNetworkId());
    assertThat(e.getMetadata().getLabels()).containsEntry("cnm.io/node", "node-1").containsEntry("cnm.io/network", "pets");
    assertThat(ready(e).getReason()).isEqualTo("Bound");
  }

  /** Two writes, then the Bound event: sent beside them, it was one more request before the status the user waits for. */
  @Test
  void aNewEndpoint_costsTwoRequests_theFinalizerGoesWithTheLabels_noReadBefore_andItsEventComesAfter() throws Exception {
    forgetRequests();
    CnmEndpoint e = readyOnAWatch("db", () -> h.client.resource(netnsEndpoint("db", "pets", "node-1", null)).create());
    Thread.sleep(500); // a third request would follow the status at once
    List<String> requests = requests(r -> r.getPath().contains("/cnmendpoints/db") ? r.getMethod() + " " + r.getPath()
        : r.getMethod().equals("POST") && r.getPath().endsWith("/events") ? "POST an event" : null); // this endpoint's Bound, the only one here
    // No GET first: a patch by name alone (withName(...).patch) reads the object before it writes.
    assertThat(requests).containsExactly("PATCH /apis/cnm.io/v1alpha1/namespaces/test/cnmendpoints/db",
        "PUT /apis/cnm.io/v1alpha1/namespaces/test/cnmendpoints/db/status", "POST an event");
    assertThat(e.getMetadata().getFinalizers()).containsExactly("cnmendpoints.cnm.io/finalizer");
    assertThat(e.getMetadata().getLabels()).containsEntry("cnm.io/node", "node-1");
  }

  /** Waits until an event in the test namespace matches. */
  private void awaitEvent(java.util.function.Predicate<io.fabric8.kubernetes.api.model.Event> matches) {
    await().atMost(Duration.ofSeconds(10)).until(() -> h.client.v1().events().inNamespace("test").list().getItems().stream().anyMatch(matches));
  }

  /** Forgets what the server recorded so far (the networks' requests). */
  private void forgetRequests() throws InterruptedException {
    while (h.server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
      // dropped
    }
  }

  /**
   * What the server recorded since the last look, each described by {@code describe} (null: left out). The
   * test waits for Ready on a watch, not by reading the object, so that every request on it is the operator's.
   */
  private List<String> requests(java.util.function.Function<io.fabric8.mockwebserver.http.RecordedRequest, String> describe)
      throws InterruptedException {
    List<String> out = new java.util.ArrayList<>();
    for (var r = h.server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
        r = h.server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      String d = describe.apply(r);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  /** Runs {@code create} and waits until a watch sees endpoint {@code name} Ready. */
  private CnmEndpoint readyOnAWatch(String name, Runnable create) throws Exception {
    java.util.concurrent.CompletableFuture<CnmEndpoint> bound = new java.util.concurrent.CompletableFuture<>();
    try (var watch = h.client.resources(CnmEndpoint.class).inNamespace("test").withName(name).watch(new io.fabric8.kubernetes.client.Watcher<>() {
      @Override
      public void eventReceived(Action action, CnmEndpoint ep) {
        if (ready(ep) != null && "True".equals(ready(ep).getStatus())) {
          bound.complete(ep);
        }
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
    })) {
      create.run();
      return bound.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void staticAddress_isHonoured_orRefusedWithAddressInUseOrOutOfRange() throws InterruptedException {
    h.client.resource(netnsEndpoint("web", "pets", "node-1", "10.1.0.50")).create();
    assertThat(awaitStatus("web", "True").getStatus().getIpv4Address()).isEqualTo("10.1.0.50/24");
    // A second later (the API's resolution): "copy" is younger, though it comes first by name, so web keeps the address.
    Thread.sleep(1_100);
    h.client.resource(netnsEndpoint("copy", "pets", "node-1", "10.1.0.50")).create();
    CnmEndpoint copy = awaitReason("copy", "AddressInUse");
    assertThat(ready(copy).getMessage()).contains("10.1.0.50").contains("test/web");
    assertThat(copy.getStatus().getIpv4Address()).isNull();
    h.client.resource(netnsEndpoint("far", "pets", "node-1", "10.9.0.5")).create();
    assertThat(ready(awaitReason("far", "AddressOutOfRange")).getMessage()).contains("10.9.0.5").contains("10.1.0.0/24");
    assertThat(h.endpoint("web").getStatus().getIpv4Address()).isEqualTo("10.1.0.50/24");
  }

  @Test
  void localNetwork_addressesAreUniquePerNode_overlayAcrossNodes() {
    h.client.resource(netnsEndpoint("a1", "pets", "node-1", null)).create();
    h.client.resource(netnsEndpoint("b1", "pets", "node-2", null)).create();
    h.client.resource(netnsEndpoint("a2", "ovnet", "node-1", null)).create();
    assertThat(awaitStatus("a1", "True").getStatus().getIpv4Address()).isEqualTo("10.1.0.2/24");
    assertThat(awaitStatus("b1", "True").getStatus().getIpv4Address()).isEqualTo("10.1.0.2/24");
    assertThat(awaitStatus("a2", "True").getStatus().getIpv4Address()).isEqualTo("10.2.0.2/24");
    h.client.resource(netnsEndpoint("b2", "ovnet", "node-2", null)).create();
    assertThat(awaitStatus("b2", "True").getStatus().getIpv4Address()).isEqualTo("10.2.0.3/24");
  }

  @Test
  void endpointOnAMissingNetwork_waitsWithNetworkNotFound_thenBindsWhenItAppears() {
    h.client.resource(netnsEndpoint("early", "later", "node-1", null)).create();
    assertThat(ready(awaitReason("early", "NetworkNotFound")).getMessage()).contains("later");
    h.client.resource(network("later", "bridge", "10.3.0.0/24")).create();
    assertThat(awaitStatus("early", "True").getStatus().getIpv4Address()).isEqualTo("10.3.0.2/24");
  }

  @Test
  void podSandbox_waitsForScheduling_thenBindsToThePodsNode() {
    Pod p = pod("web", null, null);
    h.client.resource(p).create();
    h.client.resource(podEndpoint("web-pets", "pets", "web")).create();
    awaitReason("web-pets", "PodNotScheduled");
    Pod scheduled = h.client.pods().inNamespace("test").withName("web").get();
    scheduled.getSpec().setNodeName("node-2");
    h.client.resource(scheduled).update();
    CnmEndpoint e = awaitStatus("web-pets", "True");
    assertThat(e.getStatus().getNodeName()).isEqualTo("node-2");
    assertThat(e.getMetadata().getLabels()).containsEntry("cnm.io/node", "node-2");
  }

  @Test
  void deletedEndpoint_releasesItsAddress() {
    h.client.resource(netnsEndpoint("a", "ovnet", "node-1", null)).create();
    awaitStatus("a", "True");
    h.client.resource(h.endpoint("a")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("a") == null);
    assertThat(h.ipam().allocations().get("test/ovnet").getOrDefault("", java.util.Map.of())).doesNotContainKey("test/a");
  }

  @Test
  void anEndpointDeletedWithoutItsFinalizer_stillHasItsAddressReleased() {
    h.client.resource(netnsEndpoint("a", "ovnet", "node-1", null)).create();
    awaitStatus("a", "True");
    // What kubectl patch --type=merge -p '{"metadata":{"finalizers":null}}' does: the API then deletes at once.
    h.client.resources(CnmEndpoint.class).inNamespace("test").withName("a").patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"metadata\":{\"finalizers\":null}}");
    h.client.resource(h.endpoint("a")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("a") == null);
    await().atMost(Duration.ofSeconds(20)).until(
        () -> !h.ipam().allocations().get("test/ovnet").getOrDefault("", java.util.Map.of()).containsKey("test/a"));
  }

  /**
   * A scheduled pod's endpoint is made with its node and network labels and the finalizer on: the
   * endpoint controller has nothing to patch, and the endpoint's one write after its creation is its
   * status (the labels-and-finalizer patch a user's endpoint needs is not sent).
   */
  @Test
  void aPodsEndpoint_isMadeLabelledAndWithTheFinalizer_soItsOnlyWriteIsTheStatus() throws Exception {
    forgetRequests();
    CnmEndpoint e = readyOnAWatch("app-pets", () -> h.client.resource(pod("app", "node-1", "pets")).create());
    Thread.sleep(500); // a patch would have come before the status; anything else, at once after it
    List<String> onEndpoints = requests(r -> !r.getPath().contains("/cnmendpoints") || r.getPath().contains("watch=") ? null
        : r.getPath().contains("labelSelector=") ? r.getMethod() + " the pod's endpoints by label" : r.getMethod() + " " + r.getPath());
    // No read by name before the create either: an endpoint of that name is looked for only when the create is refused.
    assertThat(onEndpoints).containsExactly("GET the pod's endpoints by label", "POST /apis/cnm.io/v1alpha1/namespaces/test/cnmendpoints",
        "PUT /apis/cnm.io/v1alpha1/namespaces/test/cnmendpoints/app-pets/status");
    assertThat(e.getMetadata().getFinalizers()).containsExactly("cnmendpoints.cnm.io/finalizer");
    assertThat(e.getMetadata().getLabels()).containsEntry("cnm.io/node", "node-1").containsEntry("cnm.io/network", "pets")
        .containsEntry("cnm.io/pod", "app");
    assertThat(e.getStatus().getNodeName()).isEqualTo("node-1");
    // Its address is still released through that finalizer when the pod goes.
    h.client.resource(h.client.pods().inNamespace("test").withName("app").get()).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("app-pets") == null);
    assertThat(h.ipam().allocations().get("test/pets").getOrDefault("node-1", java.util.Map.of())).isEmpty();
  }

  /** A user's endpoint already has the name a pod's would get: the create is refused, the pod is told, the endpoint is left alone. */
  @Test
  void aPodsEndpointName_takenByAUsersEndpoint_isReportedOnThePod_andTheEndpointLeftAlone() {
    h.client.resource(netnsEndpoint("app-pets", "pets", "node-1", null)).create();
    CnmEndpoint users = awaitStatus("app-pets", "True");
    h.client.resource(pod("app", "node-1", "pets")).create();
    awaitEvent(ev -> "EndpointNameTaken".equals(ev.getReason()) && "app".equals(ev.getInvolvedObject().getName()));
    CnmEndpoint after = h.endpoint("app-pets");
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(after.getSpec().getSandbox().getPod()).isNull();
    assertThat(after.getStatus().getIpv4Address()).isEqualTo(users.getStatus().getIpv4Address());
  }

  /** As docker network connect refuses a network being removed: a pod naming one gets no endpoint on it, and is told. */
  @Test
  void aPodNamingANetworkBeingDeleted_getsNoEndpointThere_andIsTold() {
    CnmNetwork going = network("going", "bridge", "10.4.0.0/24");
    going.getMetadata().setFinalizers(List.of("test.cnm.io/hold")); // keeps it in deletion while the pod comes
    h.client.resource(going).create();
    awaitNetwork("going");
    h.client.resource(h.network("going")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.network("going").getMetadata().getDeletionTimestamp() != null);
    h.client.resource(pod("app", "node-1", "going, pets")).create();
    awaitStatus("app-pets", "True");
    awaitEvent(ev -> "NetworkBeingDeleted".equals(ev.getReason()) && "app".equals(ev.getInvolvedObject().getName()));
    assertThat(h.endpoint("app-going")).isNull();
    CnmNetwork held = h.network("going");
    held.getMetadata().setFinalizers(held.getMetadata().getFinalizers().stream().filter(f -> !f.equals("test.cnm.io/hold")).toList());
    h.client.resource(held).update();
  }

  @Test
  void podAnnotation_createsOwnedEndpoints_followsItsChanges_andIsCleanedUpWithThePod() {
    Pod created = pod("app", "node-1", "pets, ovnet@ip=10.2.0.77;alias=api");
    created.getMetadata().setLabels(java.util.Map.of("app", "web"));
    h.client.resource(created).create();
    CnmEndpoint onPets = awaitStatus("app-pets", "True");
    CnmEndpoint onOv = awaitStatus("app-ovnet", "True");
    // The pod's labels, so that a CnmService selects it by them; and a relabelled pod relabels its endpoints.
    assertThat(onPets.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("cnm.io/pod", "app");
    assertThat(onPets.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("Pod");
      assertThat(o.getName()).isEqualTo("app");
    });
    assertThat(onOv.getStatus().getIpv4Address()).isEqualTo("10.2.0.77/24");
    assertThat(onOv.getSpec().getAliases()).containsExactly("api");
    Pod p = h.client.pods().inNamespace("test").withName("app").get();
    p.getMetadata().getAnnotations().put("cnm.io/networks", "ovnet@ip=10.2.0.77;alias=api");
    p.getMetadata().setLabels(java.util.Map.of("app", "api"));
    h.client.resource(p).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("app-pets") == null);
    await().atMost(Duration.ofSeconds(20)).until(() -> "api".equals(h.endpoint("app-ovnet").getMetadata().getLabels().get("app")));
    assertThat(h.endpoint("app-ovnet").getMetadata().getLabels()).containsKey("cnm.io/node");
    // The pod goes (no garbage collector in the mock server): the operator deletes what it made for it.
    h.client.resource(h.client.pods().inNamespace("test").withName("app").get()).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("app-ovnet") == null);
    assertThat(h.ipam().allocations().get("test/ovnet").getOrDefault("", java.util.Map.of())).isEmpty();
  }

  @Test
  void aPodReCreatedUnderTheSameName_getsItsEndpointAgain_evenWhileTheOldOneIsStillFinalizing() throws InterruptedException {
    Pod first = h.client.resource(pod("db-0", "node-1", "pets")).create();
    awaitStatus("db-0-pets", "True");
    // Something still holds the old endpoint (a slow node-daemon, say) while the StatefulSet makes the pod again.
    CnmEndpoint old = h.endpoint("db-0-pets");
    List<String> finalizers = new java.util.ArrayList<>(old.getMetadata().getFinalizers());
    finalizers.add("test.cnm.io/hold");
    old.getMetadata().setFinalizers(finalizers);
    h.client.resource(old).update();
    h.client.resource(first).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.client.pods().inNamespace("test").withName("db-0").get() == null);
    Pod second = h.client.resource(pod("db-0", "node-1", "pets")).create();
    Thread.sleep(3_000);
    assertThat(h.endpoint("db-0-pets").getMetadata().getDeletionTimestamp()).as("the old endpoint is still finalizing").isNotNull();
    CnmEndpoint going = h.endpoint("db-0-pets");
    going.getMetadata().setFinalizers(going.getMetadata().getFinalizers().stream().filter(f -> !f.equals("test.cnm.io/hold")).toList());
    h.client.resource(going).update();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      CnmEndpoint e = h.endpoint("db-0-pets");
      return e != null && e.getMetadata().getDeletionTimestamp() == null && e.getMetadata().getOwnerReferences().get(0).getUid()
          .equals(second.getMetadata().getUid()) && ready(e) != null && "True".equals(ready(e).getStatus());
    });
  }

  @Test
  void aPodNameLongerThanALabelValue_stillGetsItsEndpoints() {
    String name = "a-very-long-statefulset-name-that-kubernetes-allows-for-pods-0123456789-0";
    h.client.resource(pod(name, "node-1", "pets")).create();
    CnmEndpoint e = awaitStatus(name + "-pets", "True");
    String label = e.getMetadata().getLabels().get("cnm.io/pod");
    assertThat(label).hasSizeLessThanOrEqualTo(63).isEqualTo(CnmEndpoint.podLabelValue(name)).startsWith(name.substring(0, 40));
    h.client.resource(h.client.pods().inNamespace("test").withName(name).get()).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint(name + "-pets") == null);
  }

  @Test
  void malformedPodAnnotation_createsNothing() {
    h.client.resource(pod("odd", "node-1", "pets@speed=fast")).create();
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
        h.client.resources(CnmEndpoint.class).inNamespace("test").list().getItems().isEmpty());
    awaitEvent(ev -> "InvalidNetworksAnnotation".equals(ev.getReason()) && ev.getMessage().contains("unknown option 'speed'"));
  }

  @Test
  void hostNetworkPod_isRefusedWithAnEvent_andGetsNoEndpoint() {
    Pod p = pod("hostpod", "node-1", "pets");
    p.getSpec().setHostNetwork(true);
    h.client.resource(p).create();
    awaitEvent(ev -> "HostNetworkPod".equals(ev.getReason()) && ev.getMessage().contains("hostNetwork: true"));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> h.endpoint("hostpod-pets") == null);
  }

  @Test
  void restartedOperator_handsOutNoDuplicate() {
    for (int i = 0; i < 5; i++) {
      h.client.resource(netnsEndpoint("before" + i, "ovnet", "node-" + (i % 2 + 1), null)).create();
    }
    for (int i = 0; i < 5; i++) {
      awaitStatus("before" + i, "True");
    }
    String released = h.endpoint("before1").getStatus().getIpv4Address();
    h.client.resource(h.endpoint("before1")).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> h.endpoint("before1") == null);
    h.restart();
    for (int i = 0; i < 5; i++) {
      h.client.resource(netnsEndpoint("after" + i, "ovnet", "node-1", null)).create();
    }
    for (int i = 0; i < 5; i++) {
      awaitStatus("after" + i, "True");
    }
    List<String> addresses = h.client.resources(CnmEndpoint.class).inNamespace("test").list().getItems().stream()
        .map(e -> e.getStatus().getIpv4Address()).toList();
    assertThat(addresses).hasSize(9).doesNotHaveDuplicates();
    // Serial allocation survives the restart: the address released just before it is not reused yet.
    assertThat(addresses).doesNotContain(released);
  }

  @Test
  void podDeletedWhileTheOperatorIsDown_hasItsAddressReleasedOnReturn() {
    h.client.resource(pod("gone", "node-1", "ovnet")).create();
    String address = awaitStatus("gone-ovnet", "True").getStatus().getIpv4Address();
    h.stop();
    h.client.resource(h.client.pods().inNamespace("test").withName("gone").get()).delete();
    h.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> h.endpoint("gone-ovnet") == null);
    assertThat(h.ipam().allocations().get("test/ovnet").getOrDefault("", java.util.Map.of()))
        .doesNotContainValue(io.cnm.api.net.Cidr.parse(address).address());
    assertThat(h.ipam().leakedAddresses()).isZero();
  }
}
