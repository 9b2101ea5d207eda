package io.cnm.operator.endpoint;

import io.cnm.api.net.MacAddresses;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.EndpointAllocation;
import io.cnm.api.status.Conditions;

/**
 * The endpoint status aggregator. The operator owns the binding and the addresses (Ready, reason
 * Bound); the node-daemon adds its own condition about the interface in the sandbox.
 */
public final class EndpointStatuses {
  private EndpointStatuses() {}

  public static CnmEndpointStatus bound(CnmEndpoint ep, String node, EndpointAllocation a, String networkId) {
    CnmEndpointStatus s = copy(ep);
    s.setNodeName(node);
    s.setNetworkId(networkId);
    s.setIpv4Address(a == null || a.ipv4() == null ? null : a.ipv4().toString());
    s.setIpv6Address(a == null || a.ipv6() == null ? null : a.ipv6().toString());
    s.setGateway(a == null || a.gateway() == null ? null : a.gateway().toString());
    String mac = ep.getSpec().getMacAddress();
    if (mac == null && a != null && a.mac() != null) {
      mac = a.mac(); // the MAC a remote IPAM driver was given with the address
    }
    if (mac == null && a != null && a.ipv4() != null) {
      mac = MacAddresses.fromIpv4(a.ipv4().address());
    }
    s.setMacAddress(mac == null ? null : mac.toLowerCase(java.util.Locale.ROOT));
    if (ep.getSpec().getInterfaceName() != null) {
      s.setInterfaceName(ep.getSpec().getInterfaceName());
    }
    String where = (s.getIpv4Address() != null ? s.getIpv4Address() : s.getIpv6Address() != null ? s.getIpv6Address() : "no address")
        + " on node " + node;
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, true, Reasons.BOUND, where, ep.getMetadata().getGeneration()));
    return s;
  }

  /** Ready=False with the error's reason; a binding and address made before stay recorded (and held). */
  public static CnmEndpointStatus failed(CnmEndpoint ep, CnmException e) {
    CnmEndpointStatus s = copy(ep);
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, false, e.reason(), e.getMessage(), ep.getMetadata().getGeneration()));
    return s;
  }

  private static CnmEndpointStatus copy(CnmEndpoint ep) {
    CnmEndpointStatus s = ep.getStatus() == null ? new CnmEndpointStatus() : new CnmEndpointStatus(ep.getStatus());
    s.setObservedGeneration(ep.getMetadata().getGeneration());
    return s;
  }
}
