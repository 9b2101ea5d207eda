package io.cnm.daemon.bench;

import io.cnm.daemon.lb.Backend;
import io.cnm.daemon.lb.Frontend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The baseline of {@link ServicesBench}: services written as kube-proxy's nftables mode writes
 * them (table {@code ip kube-proxy}: a verdict map of service IPs to a chain per service, whose
 * rule picks an endpoint chain with {@code numgen random mod n vmap}, each endpoint chain a dnat),
 * fed to the nft tool as kube-proxy does through knftables.
 */
final class KubeProxyStyle {
  static final String TABLE = "kp";

  private KubeProxyStyle() {}

  static String svc(Frontend f) {
    return "service-" + f.vip().toString().replace('.', '-') + "-" + f.port();
  }

  static String ep(Frontend f, Backend b) {
    return "endpoint-" + f.vip().toString().replace('.', '-') + "-" + b.address().toString().replace('.', '-');
  }

  static String delete() {
    return "table ip " + TABLE + "\ndelete table ip " + TABLE + "\n";
  }

  static String full(Map<Frontend, List<Backend>> services) {
    StringBuilder s = new StringBuilder(delete());
    s.append("add table ip ").append(TABLE).append('\n');
    s.append("add map ip ").append(TABLE).append(" service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }\n");
    s.append("add chain ip ").append(TABLE).append(" nat-output { type nat hook output priority -100; policy accept; }\n");
    s.append("add rule ip ").append(TABLE).append(" nat-output ip daddr . meta l4proto . th dport vmap @service-ips\n");
    services.forEach((f, backends) -> s.append(add(f, backends)));
    return s.toString();
  }

  /** The chains and rules of one service and its endpoints, and its service-ips element. */
  static String add(Frontend f, List<Backend> backends) {
    StringBuilder s = new StringBuilder();
    List<String> slots = new ArrayList<>();
    for (Backend b : backends) {
      String e = ep(f, b);
      s.append("add chain ip ").append(TABLE).append(' ').append(e).append('\n');
      s.append("add rule ip ").append(TABLE).append(' ').append(e).append(" meta l4proto tcp dnat to ").append(b.address()).append(':')
          .append(b.port()).append('\n');
      slots.add(slots.size() + " : goto " + e);
    }
    s.append("add chain ip ").append(TABLE).append(' ').append(svc(f)).append('\n');
    s.append("add rule ip ").append(TABLE).append(' ').append(svc(f)).append(" numgen random mod ").append(backends.size())
        .append(" vmap { ").append(String.join(", ", slots)).append(" }\n");
    s.append("add element ip ").append(TABLE).append(" service-ips { ").append(f.vip()).append(" . tcp . ").append(f.port())
        .append(" : goto ").append(svc(f)).append(" }\n");
    return s.toString();
  }

  static String remove(Frontend f, List<Backend> backends) {
    StringBuilder s = new StringBuilder();
    s.append("delete element ip ").append(TABLE).append(" service-ips { ").append(f.vip()).append(" . tcp . ").append(f.port()).append(" }\n");
    s.append("delete chain ip ").append(TABLE).append(' ').append(svc(f)).append('\n');
    backends.forEach(b -> s.append("delete chain ip ").append(TABLE).append(' ').append(ep(f, b)).append('\n'));
    return s.toString();
  }

  /**
   * A change of service i from {@code before} (null: new) to {@code after}, and its undoing, as
   * kube-proxy writes them: the service chain flushed and re-filled, endpoint chains added or
   * deleted.
   */
  static String[] change(int i, List<Backend> before, List<Backend> after) {
    Frontend f = new Frontend(ServicesBench.vip(i), "tcp", 80, false);
    if (before == null) {
      return new String[] {add(f, after), remove(f, after)};
    }
    return new String[] {rewrite(f, before, after), rewrite(f, after, before)};
  }

  private static String rewrite(Frontend f, List<Backend> from, List<Backend> to) {
    StringBuilder s = new StringBuilder();
    for (Backend b : to) {
      if (!from.contains(b)) {
        s.append("add chain ip ").append(TABLE).append(' ').append(ep(f, b)).append('\n');
        s.append("add rule ip ").append(TABLE).append(' ').append(ep(f, b)).append(" meta l4proto tcp dnat to ").append(b.address())
            .append(':').append(b.port()).append('\n');
      }
    }
    List<String> slots = new ArrayList<>();
    to.forEach(b -> slots.add(slots.size() + " : goto " + ep(f, b)));
    s.append("flush chain ip ").append(TABLE).append(' ').append(svc(f)).append('\n');
    s.append("add rule ip ").append(TABLE).append(' ').append(svc(f)).append(" numgen random mod ").append(to.size())
        .append(" vmap { ").append(String.join(", ", slots)).append(" }\n");
    for (Backend b : from) {
      if (!to.contains(b)) {
        s.append("delete chain ip ").append(TABLE).append(' ').append(ep(f, b)).append('\n');
      }
    }
    return s.toString();
  }
}
