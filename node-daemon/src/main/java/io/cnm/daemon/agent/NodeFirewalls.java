package io.cnm.daemon.agent;

import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.nft.NodeFirewall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's firewall as data, from the desired state and what each driver routes: the bridges on
 * which the node routes (isolated from each other, masqueraded unless internal) and the published
 * ports with the address behind a bridge that each one reaches.
 */
final class NodeFirewalls {
  private NodeFirewalls() {}

  static NodeFirewall of(DesiredState d, Drivers drivers) {
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
    return new NodeFirewall(List.copyOf(nets.values()), published);
  }
}
