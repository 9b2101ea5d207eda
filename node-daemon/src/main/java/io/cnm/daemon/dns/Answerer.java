package io.cnm.daemon.dns;

import io.cnm.api.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the embedded DNS answers (seed: "Swarm Native Service Discovery"), as a pure function of
 * a {@link DnsRecords} snapshot. Network-scoped: a sandbox sees the names of the networks it is
 * on and no others. {@code name} and {@code name.<network>} both resolve. Anything unknown is
 * forwarded to the node's resolvers.
 */
public final class Answerer {
  private Answerer() {}

  /** The answer to a query. */
  public sealed interface Answer permits Local, Forward {}

  /** Ours: the addresses of the wanted family (an empty list means the name exists but has none of that family). */
  public record Local(List<IpAddress> addresses) implements Answer {}

  /** Not a name of this sandbox's networks: ask upstream. */
  public record Forward() implements Answer {}

  /**
   * @param family 4 for A, 6 for AAAA, 0 for any other type
   */
  public static Answer answer(DnsRecords records, String sandbox, String queryName, int family) {
    String name = normalize(queryName);
    Set<String> networks = records.networksOfSandbox().getOrDefault(sandbox, Set.of());
    Set<IpAddress> found = new LinkedHashSet<>();
    boolean known = false;
    for (String net : networks) {
      Map<String, List<IpAddress>> names = records.namesOfNetwork().getOrDefault(net, Map.of());
      List<IpAddress> hit = names.get(name);
      String netName = records.networkNames().get(net);
      if (hit == null && netName != null && name.endsWith("." + netName)) {
        hit = names.get(name.substring(0, name.length() - netName.length() - 1));
      }
      if (hit != null) {
        known = true;
        hit.stream().filter(ip -> family == 0 || ip.family() == family).forEach(found::add);
      }
    }
    return known ? new Local(family == 0 ? List.of() : new ArrayList<>(found)) : new Forward();
  }

  /** The addresses starting at position {@code n} (mod their count), wrapping around. */
  public static List<IpAddress> rotate(List<IpAddress> addresses, int n) {
    if (addresses.size() < 2) {
      return addresses;
    }
    int k = Math.floorMod(n, addresses.size());
    List<IpAddress> out = new ArrayList<>(addresses.subList(k, addresses.size()));
    out.addAll(addresses.subList(0, k));
    return out;
  }

  static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
