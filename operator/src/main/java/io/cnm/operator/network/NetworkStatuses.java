package io.cnm.operator.network;

import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkStatus;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.NetworkAllocation;
import io.cnm.api.status.Conditions;
import java.util.Objects;

/** The network status aggregator: pure functions from a network and a decision to the status to write. */
public final class NetworkStatuses {
  private NetworkStatuses() {}

  /** 12 hex digits, like Docker's short network IDs; stable for the object (derived from its UID). */
  public static String networkId(CnmNetwork n) {
    String seed = Objects.requireNonNullElse(n.getMetadata().getUid(), n.getMetadata().getNamespace() + "/" + n.getMetadata().getName());
    return Ids.shortHash(seed, 12);
  }

  public static CnmNetworkStatus allocated(CnmNetwork n, NetworkAllocation a) {
    CnmNetworkStatus s = copy(n);
    s.setNetworkId(networkId(n));
    s.setScope(n.getSpec().effectiveScope().wireName());
    s.setSubnets(a.subnets().stream().map(x -> x.cidr().toString()).toList());
    s.setGateways(a.subnets().stream().map(x -> x.gateway() == null ? null : x.gateway().toString()).toList());
    s.setVni(a.vni());
    s.setIpamPools(a.poolIds().isEmpty() ? null : a.poolIds());
    String msg = a.subnets().isEmpty() ? "no addresses: the " + n.getSpec().driverOrDefault() + " driver takes none"
        : "subnets " + s.getSubnets() + (a.vni() == null ? "" : ", VNI " + a.vni());
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, true, Reasons.ALLOCATED, msg, n.getMetadata().getGeneration()));
    return s;
  }

  /** Ready=False with the error's reason; whatever was allocated before stays recorded (and allocated). */
  public static CnmNetworkStatus failed(CnmNetwork n, CnmException e) {
    CnmNetworkStatus s = copy(n);
    if (s.getNetworkId() == null) {
      s.setNetworkId(networkId(n));
    }
    s.setScope(n.getSpec() == null ? null : n.getSpec().effectiveScope().wireName());
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, false, e.reason(), e.getMessage(), n.getMetadata().getGeneration()));
    return s;
  }

  public static CnmNetworkStatus inUse(CnmNetwork n, String message) {
    CnmNetworkStatus s = copy(n);
    s.setConditions(Conditions.set(s.getConditions(), Conditions.REMOVABLE, false, Reasons.HAS_ENDPOINTS, message, n.getMetadata().getGeneration()));
    return s;
  }

  private static CnmNetworkStatus copy(CnmNetwork n) {
    CnmNetworkStatus old = n.getStatus();
    CnmNetworkStatus s = new CnmNetworkStatus();
    if (old != null) {
      s.setNetworkId(old.getNetworkId());
      s.setScope(old.getScope());
      s.setSubnets(old.getSubnets());
      s.setGateways(old.getGateways());
      s.setVni(old.getVni());
      s.setIngressAddresses(old.getIngressAddresses());
      s.setIpamPools(old.getIpamPools());
      s.setDriverState(old.getDriverState());
      s.setConditions(old.getConditions());
    }
    s.setObservedGeneration(n.getMetadata().getGeneration());
    return s;
  }
}
