package io.cnm.operator.service;

import io.cnm.operator.metrics.OperatorMetrics;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.CnmServiceStatus;
import io.cnm.api.v1alpha1.EndpointMode;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.VirtualIP;
import io.cnm.api.validation.SpecValidator;
import io.cnm.operator.Keys;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.recovery.IpamRecovery;
import io.cnm.api.status.Conditions;
import io.cnm.operator.status.Controls;
import io.cnm.operator.status.EventRecorder;
import io.cnm.operator.status.Statuses;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CnmService: one VIP per network for endpointMode vip (none for dnsrr), its published ports
 * (one owner per port cluster-wide; PortConflict otherwise), and the count of Ready
 * endpoints its selector matches on its networks. VIPs of networks dropped from the spec, or of a
 * service switched to dnsrr, are released; the finalizer releases the rest.
 */
@ControllerConfiguration(name = "cnmservice")
public class ServiceReconciler implements Reconciler<CnmService>, Cleaner<CnmService> {
  static final String BY_NAMESPACE = "byNamespace";

  private final Ipam ipam;
  private final IpamRecovery recovery;
  private final EventRecorder events;

  public ServiceReconciler(Ipam ipam, IpamRecovery recovery, EventRecorder events) {
    this.ipam = ipam;
    this.recovery = recovery;
    this.events = events;
  }

  private OperatorMetrics metrics = OperatorMetrics.none();

  /** Where reconciles are timed (the application's registry; none when built by hand in tests). */
  @jakarta.inject.Inject
  public void metrics(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, CnmService>> prepareEventSources(EventSourceContext<CnmService> context) {
    var cache = context.getPrimaryCache();
    cache.addIndexer(BY_NAMESPACE, s -> List.of(s.getMetadata().getNamespace()));
    // An endpoint changing may change any service's backend count in its namespace.
    var endpoints = InformerEventSourceConfiguration.from(CnmEndpoint.class, CnmService.class)
        .withName("endpoints")
        .withItemStore(new ServiceEndpointStore())
        .withSecondaryToPrimaryMapper(ep -> cache.byIndex(BY_NAMESPACE, ep.getMetadata().getNamespace()).stream()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build();
    return List.of(new InformerEventSource<>(endpoints, context));
  }

  @Override
  public UpdateControl<CnmService> reconcile(CnmService svc, Context<CnmService> context) {
    return metrics.timed("CnmService", "reconcile", timing -> reconcile(svc, context, timing));
  }

  private UpdateControl<CnmService> reconcile(CnmService svc, Context<CnmService> context, OperatorMetrics.Reconcile timing) {
    recovery.ensureRestored();
    CnmServiceStatus status;
    CnmException error = null;
    int backends = backends(svc, context.getSecondaryResources(CnmEndpoint.class));
    try {
      CnmException.requireValid(SpecValidator.validate(svc.getSpec()));
      String ns = svc.getMetadata().getNamespace();
      List<String> networks = svc.getSpec().getNetworks();
      boolean vip = svc.getSpec().endpointModeOrDefault() == EndpointMode.VIP;
      releaseDropped(svc, vip ? Set.copyOf(networks) : Set.of());
      List<VirtualIP> vips = new ArrayList<>();
      if (vip) {
        for (String network : networks) {
          if (ipam.network(Keys.of(ns, network)).isEmpty()) {
            throw new CnmException.Transient(Reasons.NETWORK_NOT_READY, "network " + network + " does not exist or has no addresses yet");
          }
          vips.add(new VirtualIP(network, ipam.allocateVip(Keys.of(ns, network), Keys.service(svc)).toString()));
        }
      }
      List<PublishedPort> ports = publish(svc);
      status = ServiceStatuses.ready(svc, vips, ports, backends);
      if (svc.getStatus() == null || !Statuses.same(svc.getStatus().getVirtualIPs(), vips)) {
        events.normal(svc, Reasons.ALLOCATED, Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getMessage());
      }
    } catch (CnmException e) {
      timing.failed(e);
      error = e;
      status = ServiceStatuses.failed(svc, e, backends);
    }
    return Controls.finish(svc, status, false, error);
  }

  /**
   * Claims the service's published ports: the one asked for, or the one it was given before, or
   * a free one from 30000-32767; frees the ports it no longer publishes.
   */
  private List<PublishedPort> publish(CnmService svc) {
    PublishedPorts ports = recovery.publishedPorts();
    String owner = Keys.service(svc);
    List<PublishedPort> out = new ArrayList<>();
    Set<String> keep = new HashSet<>();
    List<PublishedPort> had = svc.getStatus() == null ? List.of() : svc.getStatus().getPublishedPorts();
    for (PublishedPort p : svc.getSpec().getPublish() == null ? List.<PublishedPort>of() : svc.getSpec().getPublish()) {
      Integer want = p.getPublished();
      if (want == null) {
        want = had.stream().filter(h -> h.modeOrDefault() == p.modeOrDefault() && h.protocolOrDefault().equals(p.protocolOrDefault())
            && h.getTarget().equals(p.getTarget())).map(PublishedPort::getPublished).findFirst().orElse(null);
      }
      int port = ports.claim(owner, p.protocolOrDefault(), want);
      keep.add(PublishedPorts.key(p.protocolOrDefault(), port));
      out.add(new PublishedPort(p.modeOrDefault(), p.getProtocol(), port, p.getTarget()));
    }
    ports.releaseExcept(owner, keep);
    return out;
  }

  /** Ready endpoints whose labels match the selector, on one of the service's networks. */
  static int backends(CnmService svc, Set<CnmEndpoint> endpoints) {
    Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty() || svc.getSpec().getNetworks() == null) {
      return 0;
    }
    return (int) endpoints.stream()
        .filter(ep -> ep.getMetadata().getNamespace().equals(svc.getMetadata().getNamespace()))
        .filter(ep -> ep.getSpec() != null && svc.getSpec().getNetworks().contains(ep.getSpec().getNetwork()))
        .filter(ep -> ep.getMetadata().getLabels() != null && ep.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .filter(ep -> ep.getStatus() != null && Conditions.isTrue(ep.getStatus().getConditions(), Conditions.READY))
        .count();
  }

  private void releaseDropped(CnmService svc, Set<String> keep) {
    if (svc.getStatus() == null) {
      return;
    }
    for (VirtualIP v : svc.getStatus().getVirtualIPs()) {
      if (!keep.contains(v.getNetwork())) {
        ipam.releaseVip(Keys.of(svc.getMetadata().getNamespace(), v.getNetwork()), Keys.service(svc));
      }
    }
  }

  @Override
  public DeleteControl cleanup(CnmService svc, Context<CnmService> context) {
    return metrics.timed("CnmService", "cleanup", timing -> cleanup(svc, context, timing));
  }

  private DeleteControl cleanup(CnmService svc, Context<CnmService> context, OperatorMetrics.Reconcile timing) {
    recovery.ensureRestored();
    try {
      releaseDropped(svc, Set.of());
      if (svc.getSpec() != null && svc.getSpec().getNetworks() != null) {
        svc.getSpec().getNetworks().forEach(n -> ipam.releaseVip(Keys.of(svc.getMetadata().getNamespace(), n), Keys.service(svc)));
      }
    } catch (CnmException e) {
      timing.failed(e);
      return Controls.retryCleanup(e); // a remote IPAM driver that cannot take a VIP back now
    }
    recovery.publishedPorts().releaseExcept(Keys.service(svc), Set.of());
    return DeleteControl.defaultDelete();
  }
}
