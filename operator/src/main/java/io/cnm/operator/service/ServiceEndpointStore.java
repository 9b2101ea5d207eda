package io.cnm.operator.service;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.operator.cache.Shared;
import io.cnm.operator.cache.SlimStore;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;

/**
 * The service controller's cache of endpoints, which it only counts as backends: identity,
 * labels, network and the Ready condition of each. The endpoint controller caches every endpoint
 * whole already; a second whole copy for counting would double the operator's largest cache.
 */
public final class ServiceEndpointStore extends SlimStore<CnmEndpoint> {
  public ServiceEndpointStore() {
    super(ServiceEndpointStore::slim);
  }

  /** What {@link ServiceReconciler#backends} reads of an endpoint; pure. */
  static CnmEndpoint slim(CnmEndpoint ep) {
    CnmEndpoint out = new CnmEndpoint();
    ObjectMeta m = ep.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(m.getName());
    meta.setNamespace(Shared.of(m.getNamespace()));
    meta.setUid(m.getUid());
    meta.setResourceVersion(m.getResourceVersion());
    meta.setGeneration(m.getGeneration());
    meta.setDeletionTimestamp(m.getDeletionTimestamp());
    meta.setLabels(Shared.of(m.getLabels()));
    out.setMetadata(meta);
    if (ep.getSpec() != null) {
      CnmEndpointSpec spec = new CnmEndpointSpec();
      spec.setNetwork(Shared.of(ep.getSpec().getNetwork()));
      out.setSpec(spec);
    }
    if (ep.getStatus() != null) {
      CnmEndpointStatus status = new CnmEndpointStatus();
      status.setConditions(new ArrayList<>(1));
      Conditions.find(ep.getStatus().getConditions(), Conditions.READY).ifPresent(c -> {
        var ready = new io.fabric8.kubernetes.api.model.Condition();
        ready.setType(Shared.of(c.getType()));
        ready.setStatus(Shared.of(c.getStatus()));
        status.getConditions().add(ready);
      });
      out.setStatus(status);
    }
    return out;
  }
}
