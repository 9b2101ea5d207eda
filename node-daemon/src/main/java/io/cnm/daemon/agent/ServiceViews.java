package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.PublishMode;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.lb.Backend;
import io.cnm.daemon.lb.Balancer;
import io.cnm.daemon.lb.Frontend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Pure functions from the desired joins and the gossip to the services on this node's networks, and what they become. */
final class ServiceViews {
  private ServiceViews() {}

  /**
   * @param serving whether a local endpoint serves (its pod is ready and its weight is not 0)
   */
  static List<ServiceView> of(List<CnmService> services, List<DesiredState.Join> joins, Map<String, NetworkInfo> networks,
      Map<String, List<ServiceBackendRecord>> otherBackends, Predicate<CnmEndpoint> serving) {
    List<ServiceView> out = new ArrayList<>();
    for (CnmService s : services) {
      if (s.getSpec() == null || s.getSpec().getNetworks() == null) {
        continue;
      }
      String ns = s.getMetadata().getNamespace();
      String svc = DesiredState.key(ns, s.getMetadata().getName());
      for (String network : s.getSpec().getNetworks()) {
        NetworkInfo n = networks.get(DesiredState.key(ns, network));
        if (n == null) {
          continue;
        }
        List<ServiceView.Member> members = new ArrayList<>();
        for (DesiredState.Join j : joins) {
          if (j.network().key().equals(n.key()) && j.info().ipv4() != null && DesiredState.selects(s, j.endpoint())
              && serving.test(j.endpoint())) {
            members.add(new ServiceView.Member(j.info().ipv4().address(), j.endpoint().weight(), j));
          }
        }
        // Backends on other nodes, from the gossip's service_backend table (cluster networks).
        otherBackends.getOrDefault(n.key(), List.of()).stream().filter(b -> b.service().equals(svc))
            .sorted(Comparator.comparing(ServiceBackendRecord::backend))
            .forEach(b -> members.add(new ServiceView.Member(b.backend(), b.weight(), null)));
        out.add(new ServiceView(svc, s, n, DesiredState.vip(s, network), members));
      }
    }
    return out;
  }

  /** Each sandbox's load balancer: the frontends of every service on each of its networks. */
  static Map<String, Balancer> balancers(List<DesiredState.Join> joins, List<ServiceView> views) {
    Map<String, Map<Frontend, List<Backend>>> bySandbox = new HashMap<>();
    for (DesiredState.Join j : joins) {
      if (j.info().netnsPath() == null || j.info().ipv4() == null) {
        continue;
      }
      Map<Frontend, List<Backend>> m = bySandbox.computeIfAbsent(j.info().netnsPath(), p -> new HashMap<>());
      for (ServiceView v : views) {
        if (v.network().key().equals(j.network().key())) {
          v.frontends().forEach(f -> m.put(f, v.backends(f)));
        }
      }
    }
    Map<String, Balancer> out = new HashMap<>();
    bySandbox.forEach((path, m) -> out.put(path, Balancer.of(m)));
    return out;
  }

  /** The service-backend records of this node's serving endpoints on cluster networks, for the gossip. */
  static Map<String, Map<String, ServiceBackendRecord>> published(String node, List<ServiceView> views) {
    Map<String, Map<String, ServiceBackendRecord>> out = new HashMap<>();
    for (ServiceView v : views) {
      if (!v.network().cluster()) {
        continue;
      }
      for (ServiceView.Member m : v.members()) {
        if (m.local() != null) {
          out.computeIfAbsent(v.network().networkId(), k -> new HashMap<>()).put(ServiceBackendRecord.key(v.key(), m.local().info().key()),
              new ServiceBackendRecord(v.network().networkId(), node, v.key(), v.vip(), m.address(), m.weight()));
        }
      }
    }
    return out;
  }

  /**
   * This node's records on the ingress network: for each service publishing an ingress port, the
   * sum of the weights of its local serving backends (on any of its networks) and this node's
   * ingress address, so that every node's routing mesh can send a share of connections here.
   */
  static Map<String, ServiceBackendRecord> meshRecords(String node, String ingressId, IpAddress address,
      List<CnmService> publishing, List<ServiceView> views) {
    Map<String, ServiceBackendRecord> out = new HashMap<>();
    for (CnmService s : publishing) {
      if (s.getStatus().getPublishedPorts().stream().noneMatch(p -> p.modeOrDefault() == PublishMode.INGRESS)) {
        continue;
      }
      String svc = DesiredState.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
      int weight = views.stream().filter(v -> v.key().equals(svc)).flatMap(v -> v.members().stream()).filter(m -> m.local() != null)
          .mapToInt(ServiceView.Member::weight).sum();
      if (weight > 0) {
        out.put(ServiceBackendRecord.key(svc, DesiredState.INGRESS_LEG + node), new ServiceBackendRecord(ingressId, node, svc, null, address,
            weight));
      }
    }
    return out;
  }
}
