package io.cnm.operator.endpoint;

import io.cnm.operator.metrics.OperatorMetrics;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.Drivers;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.api.validation.SpecValidator;
import io.cnm.operator.Keys;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.EndpointAllocation;
import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.recovery.IpamRecovery;
import io.cnm.api.status.Conditions;
import io.cnm.operator.status.Controls;
import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.operator.status.EventRecorder;
import io.cnm.operator.status.Statuses;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.cnm.operator.config.Tuned;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CnmEndpoint: bind to a node (the pod's, or the netns sandbox's), allocate the address on the
 * network (per node for local scope), derive the MAC, label the endpoint {@code cnm.io/node} so
 * only that node's daemon watches it, and record everything in status. The finalizer releases the
 * address once the node has said the interface is gone ({@link NodeLeases}).
 *
 * <p>The reconciler keeps its finalizer itself ({@link #tune}): it goes on in the same merge patch
 * as the labels, so a new endpoint costs two writes (that patch and the status), not three (the
 * Operator SDK's own finalizer patch first, then a second dispatch). An endpoint created
 * for a pod that no longer exists is deleted, so an address is released even when the pod went
 * while the operator was down (the Whereabouts #546 failure).
 */
@ControllerConfiguration(name = "cnmendpoint", finalizerName = EndpointReconciler.FINALIZER, informer = @io.javaoperatorsdk.operator.api.config.informer.Informer(itemStore = EndpointStore.class))
public class EndpointReconciler implements Reconciler<CnmEndpoint>, Tuned<CnmEndpoint> {
  /**
   * The finalizer that releases an endpoint's address: the Operator SDK's default name for the kind, so endpoints made
   * before keep theirs. The pod-networks controller makes its endpoints with it already on.
   */
  public static final String FINALIZER = "cnmendpoints.cnm.io/finalizer";
  static final String BY_POD = "bySandboxPod";
  static final String BY_NETWORK = "byNetwork";

  private final Ipam ipam;
  private final IpamRecovery recovery;
  private final EventRecorder events;
  private final NodeLeases leases;
  /** Wakes endpoints waiting for an address when one is given back. */
  private final SimpleInboundEventSource<CnmEndpoint> freed = new SimpleInboundEventSource<>("freed-addresses");
  private io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache<CnmEndpoint> primaries;

  public EndpointReconciler(Ipam ipam, IpamRecovery recovery, EventRecorder events, NodeLeases leases) {
    this.ipam = ipam;
    this.recovery = recovery;
    this.events = events;
    this.leases = leases;
  }

  private OperatorMetrics metrics = OperatorMetrics.none();

  /** Where reconciles are timed (the application's registry; none when built by hand in tests). */
  @jakarta.inject.Inject
  public void metrics(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Every event reaches {@link #reconcile}, deletions too, and the Operator SDK leaves the
   * finalizer to it (its name stays the SDK's default, so endpoints made before keep theirs).
   */
  @Override
  public void tune(ControllerConfigurationOverrider<CnmEndpoint> configuration) {
    configuration.withTriggerReconcilerOnAllEvents(true);
  }

  @Override
  public List<EventSource<?, CnmEndpoint>> prepareEventSources(EventSourceContext<CnmEndpoint> context) {
    var cache = context.getPrimaryCache();
    cache.addIndexer(BY_POD, ep -> podOf(ep).map(p -> List.of(Keys.of(ep.getMetadata().getNamespace(), p))).orElse(List.of()));
    cache.addIndexer(BY_NETWORK, ep -> ep.getSpec() == null || ep.getSpec().getNetwork() == null ? List.of()
        : List.of(Keys.of(ep.getMetadata().getNamespace(), ep.getSpec().getNetwork())));
    var pods = InformerEventSourceConfiguration.from(Pod.class, CnmEndpoint.class)
        .withName("pods")
        .withItemStore(new io.cnm.operator.pod.SlimPodStore())
        .withPrimaryToSecondaryMapper((PrimaryToSecondaryMapper<CnmEndpoint>) ep -> podOf(ep)
            .map(p -> Set.of(new ResourceID(p, ep.getMetadata().getNamespace()))).orElse(Set.of()))
        .withSecondaryToPrimaryMapper(pod -> ids(cache.byIndex(BY_POD, Keys.of(pod))))
        .build();
    var networks = InformerEventSourceConfiguration.from(CnmNetwork.class, CnmEndpoint.class)
        .withName("networks")
        .withPrimaryToSecondaryMapper((PrimaryToSecondaryMapper<CnmEndpoint>) ep -> ep.getSpec() == null ? Set.of()
            : Set.of(new ResourceID(ep.getSpec().getNetwork(), ep.getMetadata().getNamespace())))
        .withSecondaryToPrimaryMapper(net -> ids(cache.byIndex(BY_NETWORK, Keys.of(net))))
        .build();
    primaries = cache;
    return List.of(new InformerEventSource<>(pods, context), new InformerEventSource<>(networks, context), freed);
  }

  /**
   * An address was given back on a network: the endpoints there still waiting for one (pool
   * exhausted, their static address taken) are looked at again now, not at their next event.
   */
  private void wakeWaiting(String netKey) {
    if (primaries == null) {
      return;
    }
    for (CnmEndpoint other : primaries.byIndex(BY_NETWORK, netKey)) {
      if (other.getMetadata().getDeletionTimestamp() == null && other.getStatus() != null
          && !Conditions.isTrue(other.getStatus().getConditions(), Conditions.READY)) {
        freed.propagateEvent(ResourceID.fromResource(other));
      }
    }
  }

  private static Set<ResourceID> ids(List<CnmEndpoint> endpoints) {
    return endpoints.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  private static Optional<String> podOf(CnmEndpoint ep) {
    return Optional.ofNullable(ep.getSpec()).map(s -> s.getSandbox()).map(Sandbox::getPod);
  }

  @Override
  public UpdateControl<CnmEndpoint> reconcile(CnmEndpoint ep, Context<CnmEndpoint> context) {
    if (context.isPrimaryResourceDeleted()) {
      return gone(ep, context);
    }
    if (ep.isMarkedForDeletion()) {
      return metrics.timed("CnmEndpoint", "cleanup", timing -> cleanup(ep, context, timing));
    }
    return metrics.timed("CnmEndpoint", "reconcile", timing -> reconcile(ep, context, timing));
  }

  private UpdateControl<CnmEndpoint> reconcile(CnmEndpoint ep, Context<CnmEndpoint> context, OperatorMetrics.Reconcile timing) {
    recovery.ensureRestored();
    String key = Keys.of(ep);
    CnmEndpointStatus status;
    CnmException error = null;
    String node = null;
    Runnable event = null;
    try {
      CnmException.requireValid(SpecValidator.validate(ep.getSpec()));
      Optional<Pod> pod = pod(ep, context.getSecondaryResource(Pod.class),
          name -> context.getClient().pods().inNamespace(ep.getMetadata().getNamespace()).withName(name).get());
      if (ownerPodIsGone(ep, pod)) {
        // The pod this endpoint was made for is gone: delete it; the finalizer releases the address.
        context.getClient().resource(ep).delete();
        return UpdateControl.noUpdate();
      }
      node = nodeOf(ep, pod);
      CnmNetwork network = context.getSecondaryResource(CnmNetwork.class).orElseThrow(() -> new CnmException.NotFound(
          Reasons.NETWORK_NOT_FOUND, "network " + ep.getSpec().getNetwork() + " does not exist in namespace " + ep.getMetadata().getNamespace()));
      String netKey = Keys.of(network);
      if (ipam.network(netKey).isEmpty()) {
        String why = Conditions.find(network.getStatus() == null ? null : network.getStatus().getConditions(), Conditions.READY)
            .map(c -> ": " + c.getReason() + " - " + c.getMessage()).orElse(" yet");
        throw new CnmException.Transient(Reasons.NETWORK_NOT_READY, "network " + network.getMetadata().getName() + " is not ready" + why);
      }
      ipam.releaseEndpointExcept(netKey, key);
      CnmEndpointStatus old = ep.getStatus();
      if (old != null && old.getNodeName() != null && !old.getNodeName().equals(node)) {
        ipam.releaseEndpoint(netKey, key);
      }
      EndpointAllocation a = null;
      if (Drivers.usesIpam(network.getSpec().driverOrDefault())) {
        List<String> gaveWay = new ArrayList<>();
        a = ipam.allocateEndpoint(netKey, key, node, ep.getSpec().getIpv4Address(), ep.getSpec().getIpv6Address(),
            ep.getSpec().getMacAddress(), holder -> mayTake(ep, holder, context), gaveWay);
        String networkId = network.getStatus() == null ? null : network.getStatus().getNetworkId();
        gaveWay.forEach(loser -> yielded(loser, ep, netKey, networkId, context));
      }
      status = EndpointStatuses.bound(ep, node, a, network.getStatus() == null ? null : network.getStatus().getNetworkId());
      if (old == null || !Conditions.isTrue(old.getConditions(), Conditions.READY) || !Statuses.same(old.getIpv4Address(), status.getIpv4Address())) {
        String bound = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getMessage();
        event = () -> events.normal(ep, Reasons.BOUND, bound);
      }
    } catch (CnmException e) {
      timing.failed(e);
      error = e;
      status = EndpointStatuses.failed(ep, e);
      if (!(e instanceof CnmException.Transient) && Controls.isNewReason(ep.getStatus() == null ? null : ep.getStatus().getConditions(), e)) {
        event = () -> events.warning(ep, e.reason(), e.getMessage());
      }
    }
    CnmEndpoint current = ep;
    Map<String, Object> metadata = metadataPatch(ep, node, finalizer(context));
    if (!metadata.isEmpty()) {
      // Labels and finalizer first (the node-daemon selects its endpoints by cnm.io/node), so a Ready endpoint is
      // already labelled and its address released only through the finalizer. One merge patch; the object it returns
      // carries the resourceVersion the status write then goes with. Sent on the object (resource(ep)): by name alone,
      // the client reads the object first, one more request before the status.
      var client = context.getClient();
      current = client.resource(ep).patch(PatchContext.of(PatchType.JSON_MERGE),
          client.getKubernetesSerialization().asJson(Map.of("metadata", metadata)));
    }
    if (!Statuses.same(status, ep.getStatus())) {
      // The node-daemon writes Realized and the interface on the same status: only the operator's part is written,
      // with the resourceVersion of the copy it is made on (refused if stale, then made again), so the daemon's is never
      // erased.
      EndpointStatusOwners.writeOperatorPart(context.getClient(), current, status);
    }
    if (event != null) {
      // Only now: sent beside the two writes, the event was one more request the API server (and this process) handled
      // before the status the user waits for. It still goes out in the background; one whose writes failed is not sent,
      // the retry says it then.
      event.run();
    }
    UpdateControl<CnmEndpoint> control = UpdateControl.noUpdate();
    if (error != null) {
      error.retryAfter().ifPresent(control::rescheduleAfter);
    }
    return control;
  }

  /**
   * Whether this endpoint may take the static address another endpoint holds: it is older
   * (conflicts go to the older object, whatever order they were reconciled in) and the holder is
   * not realized, so nothing that works is torn down. Services' VIPs and nodes' ingress addresses
   * are never taken.
   */
  private static boolean mayTake(CnmEndpoint ep, String holderKey, Context<CnmEndpoint> context) {
    if (!holderKey.contains("/") || holderKey.startsWith("svc:") || holderKey.startsWith("ingress-node:")) {
      return false;
    }
    String[] nn = Keys.split(holderKey);
    CnmEndpoint holder = context.getClient().resources(CnmEndpoint.class).inNamespace(nn[0]).withName(nn[1]).get();
    return holder != null && Keys.older(ep, holder)
        && (holder.getStatus() == null || !Conditions.isTrue(holder.getStatus().getConditions(), Conditions.REALIZED));
  }

  /**
   * A younger endpoint gave its address to an older one that asked for it: one that asked for
   * that address itself now says it waits; one that got it dynamically gets the next free one.
   */
  private void yielded(String loserKey, CnmEndpoint winner, String netKey, String networkId, Context<CnmEndpoint> context) {
    String[] nn = Keys.split(loserKey);
    CnmEndpoint loser = context.getClient().resources(CnmEndpoint.class).inNamespace(nn[0]).withName(nn[1]).get();
    if (loser == null || loser.getStatus() == null) {
      return;
    }
    CnmEndpointStatus st;
    if (loser.getSpec().getIpv4Address() == null && loser.getSpec().getIpv6Address() == null) {
      try {
        EndpointAllocation again = ipam.allocateEndpoint(netKey, loserKey, loser.getStatus().getNodeName(), null, null,
            loser.getSpec().getMacAddress());
        st = EndpointStatuses.bound(loser, loser.getStatus().getNodeName(), again, networkId);
      } catch (CnmException e) {
        st = EndpointStatuses.failed(loser, e);
        st.setIpv4Address(null);
        st.setIpv6Address(null);
      }
    } else {
      String message = "gave its address to endpoint " + Keys.of(winner) + ", which is older and asks for the same (conflicts go to "
          + "the older object, creationTimestamp then namespace/name); it waits until the address is free";
      st = EndpointStatuses.failed(loser, new CnmException.Conflict(Reasons.ADDRESS_IN_USE, message));
      st.setIpv4Address(null);
      st.setIpv6Address(null);
      st.setGateway(null);
      st.setMacAddress(null);
      events.warning(loser, Reasons.ADDRESS_IN_USE, message);
    }
    EndpointStatusOwners.writeOperatorPart(context.getClient(), loser, st);
  }

  /**
   * What the endpoint's metadata lacks, as a merge patch: the labels with the node and network
   * set (once it has a node), and the finalizer (always, so an endpoint that waits for a network
   * or an address is still released through it). A changed finalizer list goes with the
   * resourceVersion read, since a merge patch replaces the whole list: a finalizer another
   * controller added meanwhile makes it fail and the reconcile run again, not vanish. Empty when
   * nothing lacks (the cached object is not changed).
   */
  static Map<String, Object> metadataPatch(CnmEndpoint ep, String node, String finalizer) {
    EndpointMetadata missing = EndpointMetadata.missing(ep, node, finalizer);
    Map<String, Object> patch = new HashMap<>();
    if (missing.labels() != null) {
      patch.put("labels", missing.labels());
    }
    if (missing.finalizers() != null) {
      patch.put("finalizers", missing.finalizers());
      patch.put("resourceVersion", ep.getMetadata().getResourceVersion());
    }
    return patch;
  }

  private static String finalizer(Context<CnmEndpoint> context) {
    return context.getControllerConfiguration().getFinalizerName();
  }

  /**
   * The endpoint's pod: from this reconciler's cache, else from the API. The cache may not have
   * the pod yet when the pod-networks controller, whose cache is another, has made its endpoint;
   * an endpoint deleted then as its pod's orphan would not be made again.
   */
  static Optional<Pod> pod(CnmEndpoint ep, Optional<Pod> cached, java.util.function.Function<String, Pod> fromApi) {
    return cached.isPresent() ? cached : podOf(ep).map(fromApi);
  }

  static boolean ownerPodIsGone(CnmEndpoint ep, Optional<Pod> pod) {
    List<OwnerReference> owners = ep.getMetadata().getOwnerReferences();
    if (owners == null) {
      return false;
    }
    return owners.stream().filter(o -> "Pod".equals(o.getKind()))
        .anyMatch(o -> pod.isEmpty() || !o.getName().equals(pod.get().getMetadata().getName())
            || (o.getUid() != null && !o.getUid().equals(pod.get().getMetadata().getUid())));
  }

  private static String nodeOf(CnmEndpoint ep, Optional<Pod> pod) {
    Sandbox sb = ep.getSpec().getSandbox();
    if (sb.getPod() == null) {
      return sb.getNodeName();
    }
    Pod p = pod.orElseThrow(() -> new CnmException.NotFound(Reasons.POD_NOT_FOUND,
        "pod " + sb.getPod() + " does not exist in namespace " + ep.getMetadata().getNamespace()));
    String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
    if (node == null || node.isEmpty()) {
      throw new CnmException.Transient(Reasons.POD_NOT_SCHEDULED, "waiting for pod " + sb.getPod() + " to be scheduled to a node");
    }
    return node;
  }

  /**
   * An endpoint being deleted: its address is released once the node's interface cannot hold it
   * any more, then the finalizer goes. One without the finalizer (deleted before it got one) is
   * released when it is gone.
   */
  private UpdateControl<CnmEndpoint> cleanup(CnmEndpoint ep, Context<CnmEndpoint> context, OperatorMetrics.Reconcile timing) {
    if (!ep.hasFinalizer(finalizer(context))) {
      return UpdateControl.noUpdate();
    }
    recovery.ensureRestored();
    // The address stays taken while the node's interface may still hold it.
    Optional<java.time.Duration> wait = leases.waitBeforeRelease(ep, java.time.Instant.now());
    if (wait.isPresent()) {
      return UpdateControl.<CnmEndpoint>noUpdate().rescheduleAfter(wait.get());
    }
    try {
      release(ep);
    } catch (CnmException e) {
      // A remote IPAM driver that cannot take the address back now: the finalizer stays until it can.
      timing.failed(e);
      return UpdateControl.<CnmEndpoint>noUpdate().rescheduleAfter(Controls.cleanupRetryDelay(e));
    }
    removeFinalizer(ep, finalizer(context), context.getClient());
    return UpdateControl.noUpdate();
  }

  /**
   * Takes this reconciler's finalizer off: a JSON patch that tests the entry it removes, so one
   * moved by another controller's change fails the patch (and the cleanup runs again) instead of
   * removing another's. The Operator SDK's own removal is not used: it caches the answer, which
   * the API server may send without a body once the object is gone.
   */
  private static void removeFinalizer(CnmEndpoint ep, String finalizer, io.fabric8.kubernetes.client.KubernetesClient client) {
    int at = ep.getMetadata().getFinalizers().indexOf(finalizer);
    String path = "/metadata/finalizers/" + at;
    String patch = client.getKubernetesSerialization().asJson(List.of(Map.of("op", "test", "path", path, "value", finalizer),
        Map.of("op", "remove", "path", path)));
    try {
      client.resource(ep).patch(PatchContext.of(PatchType.JSON), patch); // on the object: by name, the client would read it first
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /**
   * The endpoint is gone from the API. Its finalizer released it, unless it never had one (deleted
   * between its address and the patch that adds it); releasing is then what is left to do. Not
   * when an endpoint of the same name is there again: the address is that one's now.
   */
  private UpdateControl<CnmEndpoint> gone(CnmEndpoint ep, Context<CnmEndpoint> context) {
    if (context.getPrimaryCache().get(ResourceID.fromResource(ep)).isEmpty()) {
      recovery.ensureRestored();
      try {
        release(ep);
      } catch (CnmException e) {
        // The API has nothing left to hold a retry on; a restarted operator's recovery finds no owner for it.
        events.warning(ep, e.reason(), "the address of deleted endpoint " + Keys.of(ep) + " could not be released: " + e.getMessage());
      }
    }
    return UpdateControl.noUpdate();
  }

  private void release(CnmEndpoint ep) {
    ipam.releaseEndpointEverywhere(Keys.of(ep));
    if (ep.getSpec() != null && ep.getSpec().getNetwork() != null) {
      wakeWaiting(Keys.of(ep.getMetadata().getNamespace(), ep.getSpec().getNetwork()));
    }
  }
}
