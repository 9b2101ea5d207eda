package io.cnm.daemon.kube;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * The kinds the node-daemon reads from the API server, registered by name with the client's
 * serialization. A watch event's object is read by its apiVersion and kind: a kind not registered
 * is read as a generic resource and then copied once more into its class, on every event.
 *
 * <p>The Fabric8 client's default serialization finds kinds by loading every model class on its
 * class path (about a thousand: Gateway API, storage, batch, ...) at the first watch event; the
 * daemon's has no such scan ({@link #serialization()}) and knows only these.
 */
public final class DaemonKinds {
  /**
   * Every kind the daemon watches, gets or is answered with; {@link Status} too, which a watch
   * sends for an expired resourceVersion and which must not be taken for an object.
   */
  public static final List<Class<? extends KubernetesResource>> READ = List.of(CnmNetwork.class, CnmEndpoint.class,
      CnmService.class, Pod.class, Node.class, Lease.class, Event.class, ConfigMap.class, Secret.class, Status.class);

  private DaemonKinds() {
  }

  /** A serialization that knows {@link #READ} and does not scan the class path for other kinds. */
  public static KubernetesSerialization serialization() {
    return register(new KubernetesSerialization(new com.fasterxml.jackson.databind.ObjectMapper(), false));
  }

  /** Registers {@link #READ} with {@code serialization}, and returns it. */
  public static KubernetesSerialization register(KubernetesSerialization serialization) {
    READ.forEach(serialization::registerKubernetesResource);
    return serialization;
  }
}
