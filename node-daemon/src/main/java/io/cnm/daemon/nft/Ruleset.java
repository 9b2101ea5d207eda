package io.cnm.daemon.nft;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Renders a {@link NodeFirewall} into one nftables transaction that replaces the daemon's table
 * whole (create, delete, define: atomic, as knftables and kube-proxy's nftables mode do). The
 * daemon owns exactly the table {@code inet cnm} and touches nothing else.
 *
 * <pre>
 *  prerouting (dstnat) --> forward (filter) --> postrouting (srcnat)
 *    DNAT published         replies ok            masquerade egress
 *    ports to endpoints     isolate networks      of non-internal subnets;
 *  output (dstnat)          internal: no way      localhost-sourced traffic
 *    same DNAT for          in or out             to published ports;
 *    node-local clients     other ingress dropped connections handed to
 *                                                 another node (routing mesh)
 * </pre>
 *
 * A service's published port (host or ingress mode) is one rule that picks a slot at random
 * ({@code numgen random mod n map}); in ingress mode a slot is this node's backend or another
 * node's address on the ingress network, and a rule before it takes connections handed over by
 * another node (arriving on the ingress bridge at this node's address) to this node's backends
 * only, so a connection crosses at most one node.
 */
public final class Ruleset {
  public static final String TABLE = "cnm";

  private Ruleset() {}

  public static String render(NodeFirewall fw) {
    StringBuilder s = new StringBuilder();
    s.append("table inet ").append(TABLE).append('\n');
    s.append("delete table inet ").append(TABLE).append('\n');
    if (fw.isEmpty()) {
      return s.toString(); // nothing needs it (the last network left, or helm uninstall ran): the node keeps no table of ours
    }
    s.append("table inet ").append(TABLE).append(" {\n");
    // Localhost publishing needs route_localnet=1, which would also let a neighbour on the node's L2 reach
    // services bound to 127.0.0.1 (the CVE-2020-8558 class): such packets never come from anywhere but lo.
    s.append("  chain localnet_guard {\n    type filter hook prerouting priority raw; policy accept;\n");
    s.append("    iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n  }\n");
    forward(fw, s);
    nat(fw, s, "prerouting", "type nat hook prerouting priority dstnat; policy accept;");
    // The output hook does not take the dstnat keyword in nft 1.0; -100 is the same priority.
    nat(fw, s, "output", "type nat hook output priority -100; policy accept;");
    postrouting(fw, s);
    encrypted(fw, s);
    s.append("}\n");
    return s.toString();
  }

  /**
   * VXLAN datagrams of encrypted overlays (their VNI, 24 bits at bit 96 of the UDP header and
   * VXLAN header) get {@link NodeFirewall#ENCRYPT_MARK}; a route hook, so the kernel routes them
   * again with the mark (into the ESP tunnel) before they leave.
   */
  private static void encrypted(NodeFirewall fw, StringBuilder s) {
    if (fw.encryptedVnis().isEmpty()) {
      return;
    }
    String vxlan = "udp dport 4789 @th,96,24 { " + fw.encryptedVnis().stream().sorted().map(String::valueOf)
        .collect(Collectors.joining(", ")) + " }";
    s.append("  chain encrypted_overlays {\n    type route hook output priority mangle; policy accept;\n");
    s.append("    ").append(vxlan).append(" meta mark set ").append(String.format("0x%08x", NodeFirewall.ENCRYPT_MARK)).append('\n');
    s.append("  }\n");
    if (fw.encryptDevice() != null) {
      // Whatever else happens (the daemon stopped, its device gone, a route missing), such a datagram
      // that would leave, or that arrives, other than through the ESP path is dropped: never plaintext.
      String dev = "\"" + fw.encryptDevice() + "\"";
      s.append("  chain encrypted_guard_out {\n    type filter hook postrouting priority filter; policy accept;\n");
      s.append("    ").append(vxlan).append(" oifname != ").append(dev).append(" counter drop\n  }\n");
      s.append("  chain encrypted_guard_in {\n    type filter hook input priority filter; policy accept;\n");
      s.append("    ").append(vxlan).append(" iifname != ").append(dev).append(" counter drop\n  }\n");
    } else {
      // The kernel's ESP: its policies require ESP on the way out; on the way in, what the kernel did not
      // decrypt (no security path) is not an encrypted overlay's.
      s.append("  chain encrypted_guard_in {\n    type filter hook input priority filter; policy accept;\n");
      s.append("    ").append(vxlan).append(" meta secpath missing counter drop\n  }\n");
    }
  }

  private static String names(List<String> bridges) {
    return "{ " + bridges.stream().map(b -> "\"" + b + "\"").collect(Collectors.joining(", ")) + " }";
  }

  private static void forward(NodeFirewall fw, StringBuilder s) {
    s.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
    List<String> bridges = fw.networks().stream().map(NodeFirewall.Network::bridge).toList();
    if (!bridges.isEmpty()) {
      s.append("    oifname ").append(names(bridges)).append(" ct state established,related accept\n");
    }
    for (NodeFirewall.Network n : fw.networks()) {
      List<String> others = bridges.stream().filter(b -> !b.equals(n.bridge())).toList();
      if (!others.isEmpty()) {
        s.append("    iifname \"").append(n.bridge()).append("\" oifname ").append(names(others)).append(" drop\n");
      }
      if (n.internal()) {
        s.append("    iifname \"").append(n.bridge()).append("\" oifname != \"").append(n.bridge()).append("\" drop\n");
        s.append("    oifname \"").append(n.bridge()).append("\" iifname != \"").append(n.bridge()).append("\" drop\n");
      } else {
        s.append("    oifname \"").append(n.bridge()).append("\" ct status dnat accept\n");
        s.append("    oifname \"").append(n.bridge()).append("\" iifname != \"").append(n.bridge()).append("\" drop\n");
      }
    }
    s.append("  }\n");
  }

  private static void nat(NodeFirewall fw, StringBuilder s, String chain, String type) {
    s.append("  chain ").append(chain).append(" {\n    ").append(type).append('\n');
    if (chain.equals("prerouting")) {
      for (NodeFirewall.ServicePort p : fw.servicePorts()) {
        if (p.meshBridge() != null && !p.meshSlots().isEmpty()) {
          s.append("    iifname \"").append(p.meshBridge()).append("\" ip daddr ").append(p.meshAddress()).append(' ').append(p.protocol())
              .append(" dport ").append(p.port()).append(" dnat ip to ").append(slots(p.meshSlots())).append('\n');
        }
      }
    }
    for (NodeFirewall.ServicePort p : fw.servicePorts()) {
      if (!p.slots().isEmpty()) {
        s.append("    fib daddr type local ").append(p.protocol()).append(" dport ").append(p.port()).append(" dnat ip to ")
            .append(slots(p.slots())).append('\n');
      }
    }
    for (NodeFirewall.Published p : fw.published()) {
      String family = p.target().family() == 4 ? "ip" : "ip6";
      s.append("    ");
      s.append(p.hostIp() == null ? "fib daddr type local " : family + " daddr " + p.hostIp() + " ");
      s.append(p.protocol()).append(" dport ").append(p.hostPort()).append(" dnat ").append(family).append(" to ")
          .append(p.target().family() == 4 ? p.target().toString() : "[" + p.target() + "]").append(':').append(p.targetPort()).append('\n');
    }
    s.append("  }\n");
  }

  private static String slots(List<NodeFirewall.Slot> slots) {
    StringBuilder m = new StringBuilder("numgen random mod ").append(slots.size()).append(" map { ");
    for (int i = 0; i < slots.size(); i++) {
      m.append(i == 0 ? "" : ", ").append(i).append(" : ").append(slots.get(i).address()).append(" . ").append(slots.get(i).port());
    }
    return m.append(" }").toString();
  }

  private static void postrouting(NodeFirewall fw, StringBuilder s) {
    s.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
    for (NodeFirewall.Network n : fw.networks()) {
      if (n.masquerade() && !n.internal()) {
        n.subnets().stream().filter(c -> c.family() == 4).forEach(c -> s.append("    ip saddr ").append(c)
            .append(" oifname != \"").append(n.bridge()).append("\" masquerade\n"));
      }
    }
    // A connection handed to another node leaves from this node's ingress address, so the answer comes back here.
    fw.servicePorts().stream().map(NodeFirewall.ServicePort::meshBridge).filter(b -> b != null).distinct()
        .forEach(b -> s.append("    oifname \"").append(b).append("\" ct status dnat masquerade\n"));
    List<String> publishing = Stream.concat(fw.published().stream().map(NodeFirewall.Published::bridge),
        fw.servicePorts().stream().flatMap(p -> p.slots().stream()).map(NodeFirewall.Slot::bridge)
            .filter(b -> fw.servicePorts().stream().noneMatch(p -> b.equals(p.meshBridge())))).distinct().toList();
    if (!publishing.isEmpty()) {
      // Node-local clients of 127.0.0.1:port: the endpoint must answer the node, not its own loopback.
      s.append("    ip saddr 127.0.0.0/8 oifname ").append(names(publishing)).append(" masquerade\n");
    }
    s.append("  }\n");
  }

  /** The transaction that removes the daemon's table (on leaving the node). */
  public static String deleteAll() {
    return "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n";
  }
}
