package io.cnm.operator.pod;

import io.cnm.operator.metrics.OperatorMetrics;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.NetworksAnnotation;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.operator.endpoint.EndpointReconciler;
import io.cnm.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pods annotated {@code cnm.io/networks} get one CnmEndpoint per listed network, named
 * {@code <pod>-<network>}, owned by the pod (garbage-collected with it) and labelled
 * {@code cnm.io/pod} (and, once the pod is scheduled, with its node and network labels and the
 * endpoint controller's finalizer already on, so the endpoint's first write is its status).
 * Endpoints for networks dropped from the annotation are deleted. A malformed annotation changes
 * nothing and is reported as a Warning event on the pod. Not generation-aware:
 * an annotation edit does not bump a pod's generation, and that edit is the event that matters.
 */
@ControllerConfiguration(name = "pod-networks", generationAwareEventProcessing = false,
    informer = @Informer(onAddFilter = PodNetworksReconciler.Annotated.class, onUpdateFilter = PodNetworksReconciler.AnnotationTouched.class,
        itemStore = SlimPodStore.class))
public class PodNetworksReconciler implements Reconciler<Pod> {
  public static final String POD_LABEL = CnmEndpoint.POD_LABEL;

  private final EventRecorder events;
  private InformerEventSource<CnmNetwork, Pod> networks;

  public PodNetworksReconciler(EventRecorder events) {
    this.events = events;
  }

  private OperatorMetrics metrics = OperatorMetrics.none();

  /** Where reconciles are timed (the application's registry; none when built by hand in tests). */
  @jakarta.inject.Inject
  public void metrics(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<Pod> reconcile(Pod pod, Context<Pod> context) {
    return metrics.timed("Pod", "reconcile", timing -> reconcile(pod, context, timing));
  }

  private UpdateControl<Pod> reconcile(Pod pod, Context<Pod> context, OperatorMetrics.Reconcile timing) {
    List<NetworksAnnotation.Attachment> wanted;
    try {
      wanted = NetworksAnnotation.parse(annotation(pod));
    } catch (IllegalArgumentException e) {
      timing.failed(new io.cnm.operator.error.CnmException.InvalidConfig("InvalidNetworksAnnotation", e.getMessage()));
      events.warning(pod, "InvalidNetworksAnnotation", NetworksAnnotation.NAME + ": " + e.getMessage());
      return UpdateControl.noUpdate();
    }
    if (!wanted.isEmpty() && pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      // Its sandbox is the node's own namespace: an interface (and a default route) there would be the node's.
      events.warning(pod, "HostNetworkPod", "pod " + pod.getMetadata().getName() + " uses the node's network (hostNetwork: true); "
          + NetworksAnnotation.NAME + " cannot attach networks to it, and none were attached");
      wanted = List.of();
    }
    KubernetesClient client = context.getClient();
    String ns = pod.getMetadata().getNamespace();
    var existing = client.resources(CnmEndpoint.class).inNamespace(ns)
        .withLabel(POD_LABEL, CnmEndpoint.podLabelValue(pod.getMetadata().getName())).list().getItems();
    Set<String> wantedNames = wanted.stream().map(a -> endpointName(pod, a.network())).collect(Collectors.toSet());
    for (CnmEndpoint ep : existing) {
      if (!wantedNames.contains(ep.getMetadata().getName()) && ownedBy(ep, pod)) {
        client.resource(ep).delete();
      }
    }
    Map<String, CnmEndpoint> byName = existing.stream().collect(Collectors.toMap(e -> e.getMetadata().getName(), e -> e));
    boolean waiting = false;
    for (NetworksAnnotation.Attachment a : wanted) {
      CnmEndpoint desired = desired(pod, a);
      CnmEndpoint current = byName.get(desired.getMetadata().getName());
      if (current == null) {
        // Made at once, not read first: an endpoint of that name the list did not find (not labelled for this pod)
        // is rare, and the API server says so by refusing the create; it is read and looked at below only then.
        boolean networkGoing = beingDeleted(ns, a.network());
        if (!networkGoing && created(client, desired)) {
          continue;
        }
        current = client.resources(CnmEndpoint.class).inNamespace(ns).withName(desired.getMetadata().getName()).get();
        if (current == null) {
          if (networkGoing) {
            // As docker network connect refuses a network being removed (helm uninstall deletes networks first).
            events.warning(pod, "NetworkBeingDeleted", "network " + a.network() + " is being deleted; it is not attached");
          } else {
            waiting = true; // deleted between the two requests: made on the next look
          }
          continue;
        }
      }
      if (current.getMetadata().getDeletionTimestamp() != null || ofEarlierPod(current, pod)) {
        // A pod re-created under the same name (a StatefulSet's): the endpoint of the one before is still going.
        // Look again shortly; nothing else would tell this pod once it is gone.
        waiting = true;
      } else if (!ownedBy(current, pod)) {
        events.warning(pod, "EndpointNameTaken", "CnmEndpoint " + desired.getMetadata().getName()
            + " exists and does not belong to this pod; network " + a.network() + " is not attached");
      } else if (!Objects.equals(specJson(current.getSpec()), specJson(desired.getSpec()))
          || !podLabels(current.getMetadata().getLabels()).equals(podLabels(pod.getMetadata().getLabels()))) {
        current.setSpec(desired.getSpec());
        Map<String, String> labels = new HashMap<>(current.getMetadata().getLabels() == null ? Map.of() : current.getMetadata().getLabels());
        labels.keySet().removeIf(k -> !k.startsWith(CNM_PREFIX));
        labels.putAll(podLabels(pod.getMetadata().getLabels()));
        current.getMetadata().setLabels(labels);
        client.resource(current).update();
      }
    }
    return waiting ? UpdateControl.<Pod>noUpdate().rescheduleAfter(2_000) : UpdateControl.noUpdate();
  }

  /** Creates the endpoint; false when the API server refuses it because one of that name exists. */
  private static boolean created(KubernetesClient client, CnmEndpoint desired) {
    try {
      client.resource(desired).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      return false;
    }
  }

  /** From the networks' cache: no request on the attach path. */
  private boolean beingDeleted(String ns, String network) {
    return networks != null && networks.get(new ResourceID(network, ns)).map(n -> n.getMetadata().getDeletionTimestamp() != null)
        .orElse(false);
  }

  @Override
  public List<EventSource<?, Pod>> prepareEventSources(EventSourceContext<Pod> context) {
    // Read from only: a network's change concerns no pod (an endpoint waiting for its network is the endpoint's business).
    networks = new InformerEventSource<>(InformerEventSourceConfiguration.from(CnmNetwork.class, Pod.class).withName("networks")
        .withSecondaryToPrimaryMapper(n -> Set.of()).build(), context);
    return List.of(networks);
  }

  static String endpointName(Pod pod, String network) {
    String name = pod.getMetadata().getName() + "-" + network;
    return name.length() <= 253 ? name : name.substring(0, 253);
  }

  static CnmEndpoint desired(Pod pod, NetworksAnnotation.Attachment a) {
    CnmEndpoint ep = new CnmEndpoint();
    ep.getMetadata().setName(endpointName(pod, a.network()));
    ep.getMetadata().setNamespace(pod.getMetadata().getNamespace());
    // The pod's own labels too, so that a CnmService selects pods by their labels as a Kubernetes Service does.
    Map<String, String> labels = new HashMap<>(podLabels(pod.getMetadata().getLabels()));
    labels.put(POD_LABEL, CnmEndpoint.podLabelValue(pod.getMetadata().getName()));
    // Made with what the endpoint controller would patch on first (EndpointReconciler.metadataPatch): the node and
    // network labels of a scheduled pod, and the finalizer. The endpoint's first write is then its status: one
    // request fewer for every attachment of a pod.
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (node != null) {
      labels.put(CnmEndpoint.NODE_LABEL, node);
      labels.put(CnmEndpoint.NETWORK_LABEL, a.network());
    }
    ep.getMetadata().setLabels(labels);
    ep.getMetadata().setFinalizers(List.of(EndpointReconciler.FINALIZER));
    ep.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(false).build()));
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork(a.network());
    spec.setSandbox(Sandbox.ofPod(pod.getMetadata().getName()));
    spec.setIpv4Address(a.ip());
    spec.setIpv6Address(a.ip6());
    spec.setMacAddress(a.mac());
    spec.setAliases(a.aliases().isEmpty() ? null : a.aliases());
    spec.setInterfaceName(a.interfaceName());
    ep.setSpec(spec);
    return ep;
  }

  private static final String CNM_PREFIX = "cnm.io/";

  /** Labels other than this project's own (cnm.io/...), which the endpoint takes from its pod. */
  static Map<String, String> podLabels(Map<String, String> labels) {
    Map<String, String> out = new HashMap<>();
    if (labels != null) {
      labels.forEach((k, v) -> {
        if (!k.startsWith(CNM_PREFIX)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  private static String specJson(Object spec) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(spec);
  }

  private static boolean ownedBy(CnmEndpoint ep, Pod pod) {
    return ep.getMetadata().getOwnerReferences() != null && ep.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> "Pod".equals(o.getKind()) && pod.getMetadata().getName().equals(o.getName())
            && (o.getUid() == null || pod.getMetadata().getUid() == null || o.getUid().equals(pod.getMetadata().getUid())));
  }

  /** Made for an earlier pod of the same name (another UID): it goes with that pod. */
  private static boolean ofEarlierPod(CnmEndpoint ep, Pod pod) {
    return ep.getMetadata().getOwnerReferences() != null && ep.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> "Pod".equals(o.getKind()) && pod.getMetadata().getName().equals(o.getName()) && o.getUid() != null
            && pod.getMetadata().getUid() != null && !o.getUid().equals(pod.getMetadata().getUid()));
  }

  static String annotation(Pod pod) {
    return pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(NetworksAnnotation.NAME);
  }

  /** Only pods that ask for networks are reconciled when they appear. */
  public static class Annotated implements OnAddFilter<Pod> {
    @Override
    public boolean accept(Pod pod) {
      return annotation(pod) != null;
    }
  }

  /** Updates matter when the annotation is there, or was (its removal detaches the pod). */
  public static class AnnotationTouched implements OnUpdateFilter<Pod> {
    @Override
    public boolean accept(Pod newPod, Pod oldPod) {
      return !Objects.equals(annotation(newPod), annotation(oldPod));
    }
  }
}
