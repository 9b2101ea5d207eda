package io.cnm.daemon.lb;

import io.cnm.api.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Renders a {@link Balancer} into the sandbox's table {@code inet cnm_lb}: whole (on a new sandbox
 * and on re-sync) or as the difference between two balancers (everything else). The layout is
 * flat on purpose: a data map per slot count in use and a set, no chain or anonymous set per
 * service, so that a change of backends is a few element additions and deletions, which the
 * kernel applies without re-validating the table.
 *
 * <pre>
 *  output, nat (-100), one base chain per slot count n in use (the first that translates wins):
 *    nat_rn:  dnat ip daddr . l4proto . dport . numgen random mod n  → @rn   (random)
 *    nat_cn:  dnat ip daddr . l4proto . dport . jhash ip saddr mod n → @cn   (ClientIP affinity)
 *  output, filter:
 *    vip_refuse: ip daddr @vips → tcp reset / icmp unreachable
 *                (a VIP still untranslated here has no backend, or not on this port)
 * </pre>
 *
 * A frontend of n slots lives in map rn (or cn) alone. A chain per count, not a rule per count in
 * one chain: a chain can be deleted by name when its count goes out of use, where a rule needs
 * its kernel handle; and nft 1.0.6 cannot add a rule later against such a map it did not declare
 * in the same batch (a "conflicting protocols" error), so a map and its chain come and go
 * together.
 */
public final class BalancerRuleset {
  /**
   * Not the node table's name: where a sandbox is the node's own namespace (a host-network pod),
   * the two tables live side by side and never replace each other.
   */
  public static final String TABLE = "cnm_lb";
  static final String VIPS = "vips";
  private static final String MAP_TYPE = "typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport";
  private static final String KEY = "ip daddr . meta l4proto . th dport . ";
  /** A fixed seed: the same client hashes to the same slot on every node and across restarts. */
  private static final String SEED = "0x636e6d";

  private BalancerRuleset() {}

  static String map(boolean sticky, int n) {
    return (sticky ? "c" : "r") + n;
  }

  static String rule(boolean sticky, int n) {
    return "dnat ip to " + KEY + (sticky ? "jhash ip saddr mod " + n + " seed " + SEED : "numgen random mod " + n) + " map @"
        + map(sticky, n);
  }

  /** The transaction that replaces the table whole. */
  public static String full(Balancer b) {
    StringBuilder s = new StringBuilder();
    s.append("table inet ").append(TABLE).append('\n');
    s.append("delete table inet ").append(TABLE).append('\n');
    s.append("table inet ").append(TABLE).append(" {\n");
    s.append("  set ").append(VIPS).append(" {\n    type ipv4_addr\n");
    elements(s, b.vips().stream().map(IpAddress::toString).toList());
    s.append("  }\n");
    Map<String, List<String>> byMap = new LinkedHashMap<>();
    for (boolean sticky : new boolean[] {false, true}) {
      b.ladder(sticky).forEach(n -> byMap.put(map(sticky, n), new ArrayList<>()));
    }
    b.services().forEach((f, backends) -> {
      if (!backends.isEmpty()) {
        Balancer.slots(f, backends).forEach((k, v) -> byMap.get(map(f.sticky(), Balancer.slotCount(backends))).add(k + " : " + v));
      }
    });
    for (boolean sticky : new boolean[] {false, true}) {
      for (int n : b.ladder(sticky)) {
        s.append("  map ").append(map(sticky, n)).append(" {\n    ").append(MAP_TYPE).append('\n');
        elements(s, byMap.get(map(sticky, n)));
        s.append("  }\n");
        s.append("  chain nat_").append(map(sticky, n)).append(" {\n    type nat hook output priority -100; policy accept;\n    ")
            .append(rule(sticky, n)).append("\n  }\n");
      }
    }
    s.append("  chain vip_refuse {\n    type filter hook output priority filter; policy accept;\n");
    s.append("    ip daddr @").append(VIPS).append(" meta l4proto tcp reject with tcp reset\n");
    s.append("    ip daddr @").append(VIPS).append(" reject\n");
    s.append("  }\n}\n");
    return s.toString();
  }

  private static void elements(StringBuilder s, List<String> items) {
    if (!items.isEmpty()) {
      s.append("    elements = { ").append(String.join(",\n      ", items)).append(" }\n");
    }
  }

  /**
   * The transaction from {@code from} to {@code to}: the elements of the frontends whose backends
   * changed, and a map with its chain added or deleted only when a slot count comes into or goes
   * out of use. Empty when they are equal. Costs what changed plus one walk over the frontends,
   * never a listing of the kernel's table.
   */
  public static String delta(Balancer from, Balancer to) {
    Map<String, List<String>> deletes = new LinkedHashMap<>();
    Map<String, List<String>> adds = new LinkedHashMap<>();
    SortedSet<IpAddress> touched = new TreeSet<>();
    int i = 0;
    int k = 0;
    while (i < from.frontends.length || k < to.frontends.length) {
      Frontend x = i < from.frontends.length ? from.frontends[i] : null;
      Frontend y = k < to.frontends.length ? to.frontends[k] : null;
      int c = x == null ? 1 : y == null ? -1 : x == y ? 0 : x.compareTo(y);
      List<Backend> before = c <= 0 ? from.backendsAt(i) : List.of();
      List<Backend> after = c >= 0 ? to.backendsAt(k) : List.of();
      // Identity first: a balancer made from another's lists shares them, and the walk is then a pointer comparison each.
      if (c != 0 || (before != after && !before.equals(after))) {
        Frontend f = c <= 0 ? x : y;
        slotDelta(f, before, after, deletes, adds);
        touched.add(f.vip());
      }
      if (c <= 0) {
        i++;
      }
      if (c >= 0) {
        k++;
      }
    }
    StringBuilder s = new StringBuilder();
    for (boolean sticky : new boolean[] {false, true}) {
      for (int n : to.ladder(sticky)) {
        if (!from.uses(sticky, n)) {
          String m = map(sticky, n);
          s.append("add map inet ").append(TABLE).append(' ').append(m).append(" { ").append(MAP_TYPE).append("; }\n");
          s.append("add chain inet ").append(TABLE).append(" nat_").append(m).append(" { type nat hook output priority -100; policy accept; }\n");
          s.append("add rule inet ").append(TABLE).append(" nat_").append(m).append(' ').append(rule(sticky, n)).append('\n');
        }
      }
    }
    // A changed slot is deleted and added in one batch: a map element has no replace.
    deletes.forEach((m, items) -> line(s, "delete element inet " + TABLE + " " + m, items));
    adds.forEach((m, items) -> line(s, "add element inet " + TABLE + " " + m, items));
    // A new VIP joins the reject set in the same batch as its slots: never a moment of rejecting a served VIP.
    line(s, "delete element inet " + TABLE + " " + VIPS, touched.stream().filter(v -> from.hasVip(v) && !to.hasVip(v))
        .map(IpAddress::toString).toList());
    line(s, "add element inet " + TABLE + " " + VIPS, touched.stream().filter(v -> !from.hasVip(v) && to.hasVip(v))
        .map(IpAddress::toString).toList());
    for (boolean sticky : new boolean[] {false, true}) {
      for (int n : from.ladder(sticky)) {
        if (!to.uses(sticky, n)) {
          s.append("delete chain inet ").append(TABLE).append(" nat_").append(map(sticky, n)).append('\n');
          s.append("delete map inet ").append(TABLE).append(' ').append(map(sticky, n)).append('\n');
        }
      }
    }
    return s.toString();
  }

  private static void slotDelta(Frontend f, List<Backend> before, List<Backend> after, Map<String, List<String>> deletes,
      Map<String, List<String>> adds) {
    int n = Balancer.slotCount(before);
    int m = Balancer.slotCount(after);
    SortedMap<String, String> was = Balancer.slots(f, before);
    SortedMap<String, String> now = Balancer.slots(f, after);
    // Another slot count is another map: everything moves.
    was.forEach((k, v) -> {
      if (n != m || !v.equals(now.get(k))) {
        deletes.computeIfAbsent(map(f.sticky(), n), x -> new ArrayList<>()).add(k);
      }
    });
    now.forEach((k, v) -> {
      if (n != m || !v.equals(was.get(k))) {
        adds.computeIfAbsent(map(f.sticky(), m), x -> new ArrayList<>()).add(k + " : " + v);
      }
    });
  }

  private static void line(StringBuilder s, String command, List<String> items) {
    if (!items.isEmpty()) {
      s.append(command).append(" { ").append(String.join(", ", items)).append(" }\n");
    }
  }
}
