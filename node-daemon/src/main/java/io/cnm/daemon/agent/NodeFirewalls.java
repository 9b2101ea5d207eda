package io.cnm.daemon.agent;

import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.PublishMode;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.nft.NodeFirewall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's firewall as data, from the desired state and what each driver routes: the bridges on
 * which the node routes (isolated from each other, masqueraded unless internal), the published
 * ports with the address behind a bridge that each one reaches, and the services' published ports.
 */
final class NodeFirewalls {
  private NodeFirewalls() {}

  /** @param encryptDevice the encryption's device ({@link io.cnm.daemon.encryption.NodeEncryption#device()}) */
  static NodeFirewall of(DesiredState d, Drivers drivers, String encryptDevice) {
    Map<String, NodeFirewall.Network> nets = new LinkedHashMap<>();
    for (NetworkInfo n : d.networks().values()) {
      drivers.get(n.driver()).flatMap(dr -> dr.routed(n)).ifPresent(r ->
          nets.putIfAbsent(r.bridge(), new NodeFirewall.Network(r.bridge(), r.subnets(), r.internal(), r.masquerade())));
    }
    List<NodeFirewall.Published> published = new ArrayList<>();
    for (DesiredState.Join j : d.joins()) {
      if (j.info().ports().isEmpty()) {
        continue;
      }
      Optional<Driver> dr = drivers.get(j.network().driver());
      Optional<RoutedNetwork.Target> t = dr.flatMap(x -> x.publishTarget(j.network(), j.info()));
      if (t.isEmpty()) {
        continue;
      }
      for (EndpointInfo.Port p : j.info().ports()) {
        published.add(new NodeFirewall.Published(t.get().bridge(), p.protocol(), p.hostIp(), p.hostPort(), t.get().address(),
            p.containerPort()));
      }
    }
    return new NodeFirewall(List.copyOf(nets.values()), published, servicePorts(d, drivers), List.copyOf(d.encryptedVnis()),
        d.encryptedVnis().isEmpty() ? null : encryptDevice);
  }

  /**
   * The services' published ports on this node. Host mode: open only where a backend runs, to the
   * local backends. Ingress mode: open on every node, over the local backends and the other nodes
   * that have backends (weighted by their backends' weights, from the ingress network's gossip);
   * without an ingress network a node reaches only its own backends.
   */
  static List<NodeFirewall.ServicePort> servicePorts(DesiredState d, Drivers drivers) {
    List<NodeFirewall.ServicePort> out = new ArrayList<>();
    String meshBridge = d.ingress() == null ? null : OverlayDriver.bridgeName(d.ingress().network());
    for (CnmService s : d.publishing()) {
      String svc = DesiredState.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
      for (PublishedPort p : s.getStatus().getPublishedPorts()) {
        List<NodeFirewall.Slot> local = localSlots(d, drivers, svc, p.getTarget());
        if (p.modeOrDefault() == PublishMode.HOST) {
          if (!local.isEmpty()) {
            out.add(new NodeFirewall.ServicePort(p.protocolOrDefault(), p.getPublished(), local, null, null, List.of()));
          }
          continue;
        }
        List<NodeFirewall.Slot> all = new ArrayList<>(local);
        if (meshBridge != null) {
          for (ServiceBackendRecord r : d.meshBackends()) {
            if (r.service().equals(svc)) {
              for (int w = 0; w < r.weight(); w++) {
                all.add(new NodeFirewall.Slot(meshBridge, r.backend(), p.getPublished()));
              }
            }
          }
        }
        out.add(new NodeFirewall.ServicePort(p.protocolOrDefault(), p.getPublished(), all, meshBridge,
            meshBridge == null ? null : d.ingress().address().address(), local));
      }
    }
    return out;
  }

  /** This node's serving backends of a service, at the address the node reaches each through, one slot per unit of weight. */
  private static List<NodeFirewall.Slot> localSlots(DesiredState d, Drivers drivers, String svc, int targetPort) {
    List<NodeFirewall.Slot> out = new ArrayList<>();
    for (ServiceView v : d.services()) {
      if (!v.key().equals(svc)) {
        continue;
      }
      for (ServiceView.Member m : v.members()) {
        if (m.local() == null) {
          continue;
        }
        Optional<RoutedNetwork.Target> t = drivers.get(v.network().driver()).flatMap(dr -> dr.publishTarget(v.network(), m.local().info()));
        t.ifPresent(target -> {
          for (int w = 0; w < m.weight(); w++) {
            out.add(new NodeFirewall.Slot(target.bridge(), target.address(), targetPort));
          }
        });
      }
    }
    return out;
  }
}
