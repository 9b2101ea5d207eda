package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which endpoint and pod events start a pass: those that change what the agent acts on, and no others. */
class AgentEventsTest {
  /** As the operator's first write leaves it: labels and finalizer, no status. */
  static CnmEndpoint labelled() {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName("web");
    e.getMetadata().setNamespace("t");
    e.getMetadata().setResourceVersion("7");
    e.getMetadata().setLabels(Map.of(CnmEndpoint.NODE_LABEL, "node1"));
    e.getMetadata().setFinalizers(List.of("cnmendpoints.cnm.io/finalizer"));
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork("pets");
    spec.setSandbox(Sandbox.ofNetns("node1", "/run/netns/web"));
    e.setSpec(spec);
    return e;
  }

  /** Bound by the operator: Ready, with its address. */
  static CnmEndpoint ready() {
    CnmEndpoint e = labelled();
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setNodeName("node1");
    st.setIpv4Address("10.1.0.2/24");
    st.setConditions(Conditions.set(null, Conditions.READY, true, "Bound", "10.1.0.2/24 on node1", 1L));
    e.setStatus(st);
    return e;
  }

  static CnmEndpoint copy(CnmEndpoint e) {
    return Serialization.clone(e);
  }

  @Test
  void anEndpointTheOperatorHasNotBoundYetIsNoWorkButOneReadyOrBeingDeletedIs() {
    assertThat(AgentEvents.matters(labelled())).isFalse();
    assertThat(AgentEvents.matters(ready())).isTrue();
    CnmEndpoint deleting = labelled();
    deleting.getMetadata().setDeletionTimestamp("2026-11-29T10:00:00Z");
    assertThat(AgentEvents.matters(deleting)).isTrue();
    CnmEndpoint failed = labelled();
    failed.setStatus(new CnmEndpointStatus());
    failed.getStatus().setConditions(Conditions.set(null, Conditions.READY, false, "PoolExhausted", "no address left", 1L));
    assertThat(AgentEvents.matters(failed)).isFalse();
  }

  @Test
  void anEndpointGoneAfterItsDeletionWasSeenIsNoWork_oneGoneWithoutIs() {
    CnmEndpoint deleting = ready();
    deleting.getMetadata().setDeletionTimestamp("2026-11-29T10:00:00Z");
    assertThat(AgentEvents.mattersGone(deleting, false)).as("its deletion started a pass already").isFalse();
    assertThat(AgentEvents.mattersGone(ready(), false)).as("gone at once (its label removed, moved to another node)").isTrue();
    assertThat(AgentEvents.mattersGone(deleting, true)).as("its final state unknown (a missed watch)").isTrue();
  }

  @Test
  void theDaemonsOwnWriteComingBackIsNoWork() {
    CnmEndpoint before = ready();
    CnmEndpoint after = copy(before);
    after.getMetadata().setResourceVersion("8");
    after.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("cnm-node-daemon").build()));
    after.getStatus().setInterfaceName("eth0");
    after.getStatus().setConditions(Conditions.set(after.getStatus().getConditions(), Conditions.REALIZED, true, "Realized", "eth0", 1L));
    assertThat(AgentEvents.matters(before, after)).isFalse();
    // Released on the way out is the daemon's too.
    CnmEndpoint released = copy(after);
    released.getStatus().setConditions(Conditions.set(after.getStatus().getConditions(), Conditions.REALIZED, false, "Released", "gone", 1L));
    assertThat(AgentEvents.matters(after, released)).isFalse();
  }

  @Test
  void whatTheOperatorOrTheUserChangesIsWork() {
    assertThat(AgentEvents.matters(labelled(), ready())).as("bound: Ready").isTrue();
    CnmEndpoint moved = ready();
    moved.getStatus().setIpv4Address("10.1.0.3/24");
    assertThat(AgentEvents.matters(ready(), moved)).as("a new address").isTrue();
    CnmEndpoint unready = ready();
    unready.getStatus().setConditions(Conditions.set(null, Conditions.READY, false, "NetworkNotFound", "gone", 1L));
    assertThat(AgentEvents.matters(ready(), unready)).as("no longer Ready").isTrue();
    CnmEndpoint aliased = ready();
    aliased.getSpec().setAliases(List.of("api"));
    assertThat(AgentEvents.matters(ready(), aliased)).as("an alias").isTrue();
    CnmEndpoint relabelled = ready();
    relabelled.getMetadata().setLabels(Map.of(CnmEndpoint.NODE_LABEL, "node1", CnmEndpoint.POD_LABEL, "web"));
    assertThat(AgentEvents.matters(ready(), relabelled)).as("a label").isTrue();
    CnmEndpoint deleting = ready();
    deleting.getMetadata().setDeletionTimestamp("2026-11-29T10:00:00Z");
    assertThat(AgentEvents.matters(ready(), deleting)).as("deleted").isTrue();
  }

  @Test
  void aPodsChangeIsWorkUnlessItIsTheDaemonsConditionOrAnnotation() {
    Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace("t").withUid("u1").withResourceVersion("3")
        .withAnnotations(Map.of("cnm.io/networks", "pets")).endMetadata().withNewSpec().withNodeName("node1").endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus().build();
    Pod told = Serialization.clone(pod);
    told.getMetadata().setResourceVersion("4");
    told.getMetadata().setAnnotations(Map.of("cnm.io/networks", "pets", PodNetworkStatus.ANNOTATION, "[]"));
    told.getStatus().getConditions().add(PodNetworkStatus.condition(pod, 1, 1));
    assertThat(AgentEvents.matters(pod, told)).as("the daemon's condition and annotation").isFalse();
    Pod ready = Serialization.clone(told);
    ready.getStatus().getConditions().get(0).setStatus("True");
    assertThat(AgentEvents.matters(told, ready)).as("the pod Ready").isTrue();
    Pod started = Serialization.clone(told);
    started.getStatus().setPodIP("10.244.0.7");
    assertThat(AgentEvents.matters(told, started)).as("the kubelet's news (its sandbox may be there now)").isTrue();
  }
}
