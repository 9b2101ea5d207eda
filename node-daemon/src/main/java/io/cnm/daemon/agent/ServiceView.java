package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.ServicePort;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.lb.Backend;
import io.cnm.daemon.lb.Frontend;
import java.util.ArrayList;
import java.util.List;

/**
 * A service as this node sees it on one of its networks present here: the VIP there (null for
 * dnsrr) and the backends that serve, this node's and (on cluster networks) other nodes' from the
 * gossip.
 *
 * @param key the service's namespace/name
 */
public record ServiceView(String key, CnmService service, NetworkInfo network, IpAddress vip, List<Member> members) {
  public ServiceView {
    members = List.copyOf(members);
  }

  /**
   * A serving backend.
   *
   * @param local the join on this node, or null for another node's backend
   */
  public record Member(IpAddress address, int weight, DesiredState.Join local) {}

  public String name() {
    return service.getMetadata().getName();
  }

  public List<IpAddress> addresses() {
    return members.stream().map(Member::address).toList();
  }

  /** What a client on this network reaches at the VIP: one frontend per service port, each over every member. */
  public List<Frontend> frontends() {
    List<Frontend> out = new ArrayList<>();
    if (vip == null || service.getSpec().getPorts() == null) {
      return out;
    }
    for (ServicePort p : service.getSpec().getPorts()) {
      out.add(new Frontend(vip, protocol(p), p.getPort(), service.getSpec().clientIpAffinity()));
    }
    return out;
  }

  /** The backends behind a frontend of the service port {@code p}. */
  public List<Backend> backends(Frontend f) {
    ServicePort p = service.getSpec().getPorts().stream().filter(x -> x.getPort() == f.port() && protocol(x).equals(f.protocol()))
        .findFirst().orElseThrow();
    int target = p.getTargetPort() == null ? p.getPort() : p.getTargetPort();
    return members.stream().map(m -> new Backend(m.address(), target, m.weight())).toList();
  }

  static String protocol(ServicePort p) {
    return p.getProtocol() == null ? "tcp" : p.getProtocol().wireName();
  }
}
