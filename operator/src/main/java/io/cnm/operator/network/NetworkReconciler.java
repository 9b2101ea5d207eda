package io.cnm.operator.network;

import io.cnm.operator.metrics.OperatorMetrics;
import io.cnm.api.status.Conditions;
import io.cnm.api.status.StatusUpdates;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkStatus;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.Drivers;
import io.cnm.api.validation.SpecValidator;
import io.cnm.operator.Keys;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.ipam.NetworkAllocation;
import io.cnm.operator.recovery.IpamRecovery;
import io.cnm.operator.recovery.NodeSubnets;
import io.cnm.operator.status.Controls;
import io.cnm.operator.status.EventRecorder;
import io.cnm.operator.status.Statuses;
import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CnmNetwork: validate, allocate subnets, gateways and VNI, record them in status. A network in
 * use is not deleted (as {@code docker network rm} refuses): the finalizer stays and condition
 * Removable=False names who uses it, until they are gone.
 */
@ControllerConfiguration(name = "cnmnetwork")
public class NetworkReconciler implements Reconciler<CnmNetwork>, Cleaner<CnmNetwork> {
  private final Ipam ipam;
  private final IpamRecovery recovery;
  private final NodeSubnets nodeSubnets;
  private final EventRecorder events;
  private final NetworkAllocator allocator;

  public NetworkReconciler(Ipam ipam, IpamRecovery recovery, NodeSubnets nodeSubnets, EventRecorder events) {
    this(ipam, recovery, nodeSubnets, events, NetworkAllocator.NONE);
  }

  private OperatorMetrics metrics = OperatorMetrics.none();

  /** Where reconciles are timed (the application's registry; none when built by hand in tests). */
  @jakarta.inject.Inject
  public void metrics(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  /** @param allocator global-scope remote network drivers' AllocateNetwork/FreeNetwork */
  @jakarta.inject.Inject
  public NetworkReconciler(Ipam ipam, IpamRecovery recovery, NodeSubnets nodeSubnets, EventRecorder events, NetworkAllocator allocator) {
    this.ipam = ipam;
    this.recovery = recovery;
    this.nodeSubnets = nodeSubnets;
    this.events = events;
    this.allocator = allocator;
  }

  @Override
  public UpdateControl<CnmNetwork> reconcile(CnmNetwork network, Context<CnmNetwork> context) {
    return metrics.timed("CnmNetwork", "reconcile", timing -> reconcile(network, context, timing));
  }

  private UpdateControl<CnmNetwork> reconcile(CnmNetwork network, Context<CnmNetwork> context, OperatorMetrics.Reconcile timing) {
    recovery.ensureRestored();
    CnmNetworkStatus status;
    CnmException error = null;
    NetworkAllocation allocation = null;
    try {
      CnmException.requireValid(SpecValidator.validate(network.getSpec()));
      boolean isNew = ipam.network(Keys.of(network)).isEmpty();
      if (isNew) {
        nodeSubnets.refresh();
      }
      List<String> gaveWay = new ArrayList<>();
      NetworkAllocation a = ipam.allocateNetwork(Keys.of(network), network.getSpec(), holder -> mayTake(network, holder, context),
          gaveWay);
      allocation = a;
      gaveWay.forEach(loser -> yielded(loser, network, context));
      status = NetworkStatuses.allocated(network, a);
      String driver = network.getSpec().driverOrDefault();
      if (status.getDriverState() == null && !Drivers.builtIn(driver)) {
        Map<String, String> options = network.getSpec().getOptions() == null ? Map.of() : network.getSpec().getOptions();
        allocator.allocate(driver, status.getNetworkId(), options, a).ifPresent(status::setDriverState);
      }
      if (Boolean.TRUE.equals(network.getSpec().getIngress())) {
        // Every node (the Node informer only triggers this; an ingress network is reconciled rarely).
        status.setIngressAddresses(ingressAddresses(network, context.getClient().nodes().list().getItems()));
      }
      if (isNew) {
        events.normal(network, Reasons.ALLOCATED, Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getMessage());
      }
    } catch (CnmException e) {
      timing.failed(e);
      error = e;
      status = NetworkStatuses.failed(network, e);
      if (Controls.isNewReason(network.getStatus() == null ? null : network.getStatus().getConditions(), e)) {
        events.warning(network, e.reason(), e.getMessage());
      }
    }
    status.setConditions(Conditions.remove(status.getConditions(), Conditions.REMOVABLE));
    if (!Statuses.same(status, network.getStatus())) {
      // Written onto the object as it is now, with the version read: an older network that took this one's subnet
      // meanwhile has written why, and a Ready=True from before that must not land on top of it.
      String key = Keys.of(network);
      java.util.Optional<NetworkAllocation> decided = java.util.Optional.ofNullable(allocation);
      CnmNetworkStatus mine = status;
      StatusUpdates.update(context.getClient(), network, fresh -> {
        if (decided.isPresent() && !ipam.network(key).equals(decided)) {
          return null;
        }
        fresh.setStatus(mine);
        return fresh;
      });
    }
    UpdateControl<CnmNetwork> control = UpdateControl.noUpdate();
    if (error != null) {
      error.retryAfter().ifPresent(control::rescheduleAfter);
    }
    return control;
  }

  /**
   * Whether this network may take what another holds: it is older (conflicts go to the older
   * object, whatever order they were reconciled in) and the holder has no endpoint realized and
   * no service, so nothing that works is torn down.
   */
  private boolean mayTake(CnmNetwork network, String holderKey, Context<CnmNetwork> context) {
    String[] nn = Keys.split(holderKey);
    CnmNetwork holder = context.getClient().resources(CnmNetwork.class).inNamespace(nn[0]).withName(nn[1]).get();
    if (holder == null || !Keys.older(network, holder)) {
      return false;
    }
    boolean realized = context.getClient().resources(CnmEndpoint.class).inNamespace(nn[0]).list().getItems().stream()
        .filter(ep -> ep.getSpec() != null && nn[1].equals(ep.getSpec().getNetwork()))
        .anyMatch(ep -> ep.getStatus() != null && Conditions.isTrue(ep.getStatus().getConditions(), Conditions.REALIZED));
    boolean services = context.getClient().resources(CnmService.class).inNamespace(nn[0]).list().getItems().stream()
        .anyMatch(svc -> svc.getSpec() != null && svc.getSpec().getNetworks() != null && svc.getSpec().getNetworks().contains(nn[1]));
    return !realized && !services;
  }

  /** The younger network gave its subnet or VNI to an older one: it says so, and holds nothing any more. */
  private void yielded(String loserKey, CnmNetwork winner, Context<CnmNetwork> context) {
    String[] nn = Keys.split(loserKey);
    String message = "gave its subnets and VNI to network " + Keys.of(winner) + ", which is older and asks for the same (conflicts go "
        + "to the older object, creationTimestamp then namespace/name); it waits until they are free";
    CnmNetwork loser = context.getClient().resources(CnmNetwork.class).inNamespace(nn[0]).withName(nn[1]).get();
    if (loser == null) {
      return;
    }
    CnmNetwork written = StatusUpdates.update(context.getClient(), loser, fresh -> {
      CnmNetworkStatus st = NetworkStatuses.failed(fresh, new CnmException.Conflict(Reasons.SUBNET_CONFLICT, message));
      st.setSubnets(new ArrayList<>());
      st.setGateways(new ArrayList<>());
      st.setVni(null);
      st.setIpamPools(null);
      fresh.setStatus(st);
      return fresh;
    });
    if (written != null) {
      events.warning(written, Reasons.SUBNET_CONFLICT, message);
    }
  }

  /**
   * Each node's address on the ingress network (Docker's ingress-sbox endpoint), allocated from
   * the network's own pool like an endpoint's; a node that left gives its address back.
   */
  private Map<String, String> ingressAddresses(CnmNetwork network, List<Node> nodes) {
    Map<String, String> out = new TreeMap<>();
    for (Node n : nodes) {
      String name = n.getMetadata().getName();
      out.put(name, ipam.allocateEndpoint(Keys.of(network), ingressOwner(name), name, null, null).ipv4().toString());
    }
    Map<String, String> had = network.getStatus() == null ? null : network.getStatus().getIngressAddresses();
    if (had != null) {
      had.keySet().stream().filter(node -> !out.containsKey(node)).forEach(node -> ipam.releaseEndpoint(Keys.of(network), ingressOwner(node)));
    }
    return out;
  }

  /** The IPAM owner of a node's address on the ingress network. */
  public static String ingressOwner(String node) {
    return "ingress-node:" + node;
  }

  @Override
  public List<EventSource<?, CnmNetwork>> prepareEventSources(EventSourceContext<CnmNetwork> context) {
    var cache = context.getPrimaryCache();
    // A node joining or leaving changes the ingress network's addresses.
    var nodes = InformerEventSourceConfiguration.from(Node.class, CnmNetwork.class)
        .withName("nodes")
        .withSecondaryToPrimaryMapper(node -> cache.list(n -> n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getIngress()))
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build();
    return List.of(new InformerEventSource<>(nodes, context));
  }

  @Override
  public DeleteControl cleanup(CnmNetwork network, Context<CnmNetwork> context) {
    return metrics.timed("CnmNetwork", "cleanup", timing -> cleanup(network, context, timing));
  }

  private DeleteControl cleanup(CnmNetwork network, Context<CnmNetwork> context, OperatorMetrics.Reconcile timing) {
    recovery.ensureRestored();
    String ns = network.getMetadata().getNamespace();
    String name = network.getMetadata().getName();
    List<String> users = Stream.concat(
        context.getClient().resources(CnmEndpoint.class).inNamespace(ns).list().getItems().stream()
            .filter(ep -> ep.getSpec() != null && name.equals(ep.getSpec().getNetwork()))
            .map(ep -> "endpoint " + ep.getMetadata().getName()),
        context.getClient().resources(CnmService.class).inNamespace(ns).list().getItems().stream()
            .filter(s -> s.getSpec() != null && s.getSpec().getNetworks() != null && s.getSpec().getNetworks().contains(name))
            .map(s -> "service " + s.getMetadata().getName()))
        .sorted().toList();
    if (!users.isEmpty()) {
      String message = "network " + name + " is in use by " + users.size() + " object(s): "
          + String.join(", ", users.subList(0, Math.min(5, users.size()))) + (users.size() > 5 ? ", ..." : "")
          + "; it is removed once they are deleted";
      CnmNetworkStatus status = NetworkStatuses.inUse(network, message);
      if (!Statuses.same(status, network.getStatus())) {
        network.setStatus(status);
        context.getClient().resource(network).patchStatus();
        events.warning(network, Reasons.HAS_ENDPOINTS, message);
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(5000);
    }
    CnmNetworkStatus st = network.getStatus();
    try {
      if (st != null && st.getDriverState() != null && st.getNetworkId() != null) {
        // FreeNetwork first, then the IPAM, as libnetwork frees a swarm network; a failure retries both (a second
        // FreeNetwork the plugin refuses is counted done).
        allocator.free(network.getSpec().driverOrDefault(), st.getNetworkId());
      }
      ipam.releaseNetwork(Keys.of(network));
    } catch (CnmException e) {
      timing.failed(e);
      return Controls.retryCleanup(e); // a plugin that cannot take the network back now: the finalizer stays until it can
    }
    return DeleteControl.defaultDelete();
  }
}
