package io.cnm.operator.service;

import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.CnmServiceStatus;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.VirtualIP;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import io.cnm.api.status.Conditions;
import java.util.List;

/** The service status aggregator. */
public final class ServiceStatuses {
  private ServiceStatuses() {}

  public static CnmServiceStatus ready(CnmService svc, List<VirtualIP> vips, List<PublishedPort> ports, int backends) {
    CnmServiceStatus s = copy(svc);
    s.setVirtualIPs(vips);
    s.setPublishedPorts(ports);
    s.setBackends(backends);
    String msg = (vips.isEmpty() ? "DNS round robin" : "VIPs " + vips.stream().map(v -> v.getNetwork() + "=" + v.getAddress()).toList())
        + (ports.isEmpty() ? "" : ", published " + ports.stream().map(p -> p.getPublished() + "/" + p.protocolOrDefault() + " ("
        + p.modeOrDefault().name().toLowerCase(java.util.Locale.ROOT) + ")").toList()) + ", " + backends + " backend(s)";
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, true, Reasons.ALLOCATED, msg, svc.getMetadata().getGeneration()));
    return s;
  }

  public static CnmServiceStatus failed(CnmService svc, CnmException e, int backends) {
    CnmServiceStatus s = copy(svc);
    s.setBackends(backends);
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, false, e.reason(), e.getMessage(), svc.getMetadata().getGeneration()));
    return s;
  }

  private static CnmServiceStatus copy(CnmService svc) {
    CnmServiceStatus old = svc.getStatus();
    CnmServiceStatus s = new CnmServiceStatus();
    if (old != null) {
      s.setVirtualIPs(old.getVirtualIPs());
      s.setPublishedPorts(old.getPublishedPorts());
      s.setBackends(old.getBackends());
      s.setConditions(old.getConditions());
    }
    s.setObservedGeneration(svc.getMetadata().getGeneration());
    return s;
  }
}
