package io.cnm.operator.recovery;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.VirtualIP;
import io.cnm.operator.Keys;
import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.network.NetworkReconciler;
import io.cnm.operator.service.PublishedPorts;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Rebuilds the IPAM from the statuses of every network, service and endpoint before the first
 * allocation of this operator process (a restart, or a replica that just became leader). Status
 * is the operator's only memory, so an address written there is never handed out again while its
 * owner exists. Networks are restored oldest first, so if two statuses ever claimed overlapping
 * subnets the older network keeps its own.
 */
@Singleton
public class IpamRecovery {
  private static final Logger LOG = Logger.getLogger(IpamRecovery.class);

  private final KubernetesClient client;
  private final Ipam ipam;
  private final PublishedPorts ports = new PublishedPorts();
  private volatile boolean restored;

  public IpamRecovery(KubernetesClient client, Ipam ipam) {
    this.client = client;
    this.ipam = ipam;
  }

  /** The cluster's published service ports, restored with the addresses. */
  public PublishedPorts publishedPorts() {
    return ports;
  }

  /** Restores once; every reconciler calls this before it allocates or releases anything. */
  public void ensureRestored() {
    if (restored) {
      return;
    }
    synchronized (this) {
      if (!restored) {
        restore();
        restored = true;
      }
    }
  }

  private void restore() {
    int networks = 0;
    int vips = 0;
    int endpoints = 0;
    List<CnmNetwork> nets = client.resources(CnmNetwork.class).inAnyNamespace().list().getItems().stream()
        .sorted(Comparator.comparing((CnmNetwork n) -> String.valueOf(n.getMetadata().getCreationTimestamp()))
            .thenComparing(n -> n.getMetadata().getName()))
        .toList();
    for (CnmNetwork n : nets) {
      var st = n.getStatus();
      if (st == null || (st.getSubnets().isEmpty() && st.getVni() == null) || st.getNetworkId() == null) {
        continue;
      }
      try {
        ipam.restoreNetwork(Keys.of(n), n.getSpec(), st.getSubnets(), st.getGateways(), st.getVni(),
            st.getIpamPools() == null ? List.of() : st.getIpamPools());
        networks++;
      } catch (RuntimeException e) {
        LOG.warnf("network %s: its recorded allocation cannot be restored (%s); it will be allocated again", Keys.of(n), e.getMessage());
        continue;
      }
      if (st.getIngressAddresses() != null) {
        st.getIngressAddresses().forEach((node, addr) -> {
          try {
            ipam.restoreEndpoint(Keys.of(n), NetworkReconciler.ingressOwner(node), node, addr, null);
          } catch (RuntimeException e) {
            LOG.warnf("ingress network %s: node %s's address %s cannot be restored (%s)", Keys.of(n), node, addr, e.getMessage());
          }
        });
      }
    }
    for (CnmService s : client.resources(CnmService.class).inAnyNamespace().list().getItems()) {
      if (s.getStatus() == null) {
        continue;
      }
      for (PublishedPort p : s.getStatus().getPublishedPorts()) {
        try {
          ports.claim(Keys.service(s), p.protocolOrDefault(), p.getPublished());
        } catch (RuntimeException e) {
          LOG.warnf("service %s: published port %s cannot be restored (%s)", Keys.of(s), p.getPublished(), e.getMessage());
        }
      }
      for (VirtualIP vip : s.getStatus().getVirtualIPs()) {
        try {
          ipam.restoreVip(Keys.of(s.getMetadata().getNamespace(), vip.getNetwork()), Keys.service(s), vip.getAddress());
          vips++;
        } catch (RuntimeException e) {
          LOG.warnf("service %s: VIP %s cannot be restored (%s)", Keys.of(s), vip.getAddress(), e.getMessage());
        }
      }
    }
    for (CnmEndpoint ep : client.resources(CnmEndpoint.class).inAnyNamespace().list().getItems()) {
      CnmEndpointStatus st = ep.getStatus();
      if (st == null || (st.getIpv4Address() == null && st.getIpv6Address() == null) || ep.getSpec() == null) {
        continue;
      }
      try {
        ipam.restoreEndpoint(Keys.of(ep.getMetadata().getNamespace(), ep.getSpec().getNetwork()), Keys.of(ep),
            st.getNodeName(), st.getIpv4Address(), st.getIpv6Address(), st.getMacAddress());
        endpoints++;
      } catch (RuntimeException e) {
        LOG.warnf("endpoint %s: address %s cannot be restored (%s)", Keys.of(ep), st.getIpv4Address(), e.getMessage());
      }
    }
    LOG.infof("IPAM restored from status: %d networks, %d VIPs, %d endpoints", networks, vips, endpoints);
  }
}
