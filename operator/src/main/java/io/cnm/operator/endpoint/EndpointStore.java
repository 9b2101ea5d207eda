package io.cnm.operator.endpoint;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.operator.cache.Shared;
import io.cnm.operator.cache.SlimStore;

/**
 * The endpoint controller's cache: whole endpoints (the reconciler reads and writes back all of
 * them), with the strings that endpoints repeat shared: namespace, labels, owner, network, node,
 * network ID, gateway, condition types and reasons.
 */
public final class EndpointStore extends SlimStore<CnmEndpoint> {
  public EndpointStore() {
    super(EndpointStore::share);
  }

  /** The same endpoint, its repeated strings replaced by shared instances. */
  static CnmEndpoint share(CnmEndpoint ep) {
    Shared.metadata(ep.getMetadata());
    var spec = ep.getSpec();
    if (spec != null) {
      spec.setNetwork(Shared.of(spec.getNetwork()));
      if (spec.getSandbox() != null) {
        spec.getSandbox().setNodeName(Shared.of(spec.getSandbox().getNodeName()));
      }
    }
    var status = ep.getStatus();
    if (status != null) {
      status.setNodeName(Shared.of(status.getNodeName()));
      status.setNetworkId(Shared.of(status.getNetworkId()));
      status.setGateway(Shared.of(status.getGateway()));
      Shared.conditions(status.getConditions());
    }
    return ep;
  }
}
