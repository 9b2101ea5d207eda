package io.cnm.daemon.lb;

import io.cnm.api.net.IpAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one sandbox's load balancer holds: every frontend it can reach and the backends of each.
 * An immutable value; a frontend's slots are a function of its backends alone (sorted, each
 * repeated by its weight), so a re-sync and a series of changes that reach the same backends
 * write the same elements.
 */
public final class Balancer {
  public static final Balancer EMPTY = of(Map.of());

  private final NavigableMap<Frontend, List<Backend>> services;
  // The same entries in order, as arrays: a difference walks these comparing references, without chasing tree nodes.
  final Frontend[] frontends;
  final List<?>[] backends;
  // How many frontends use each slot count, per map: the rules to have.
  private final NavigableMap<Integer, Integer> randomCounts = new TreeMap<>(Collections.reverseOrder());
  private final NavigableMap<Integer, Integer> stickyCounts = new TreeMap<>(Collections.reverseOrder());

  private Balancer(NavigableMap<Frontend, List<Backend>> services) {
    this.services = Collections.unmodifiableNavigableMap(services);
    this.frontends = services.keySet().toArray(new Frontend[0]);
    this.backends = services.values().toArray(new List<?>[0]);
    services.forEach((f, b) -> {
      int n = slotCount(b);
      if (n > 0) {
        (f.sticky() ? stickyCounts : randomCounts).merge(n, 1, Integer::sum);
      }
    });
  }

  public static Balancer of(Map<Frontend, List<Backend>> services) {
    TreeMap<Frontend, List<Backend>> copy = new TreeMap<>();
    services.forEach((f, b) -> copy.put(f, sorted(b)));
    return new Balancer(copy);
  }

  /** An immutable sorted list; the very same list when it is one already (a difference then skips it by identity). */
  private static List<Backend> sorted(List<Backend> b) {
    for (int i = 1; i < b.size(); i++) {
      if (b.get(i - 1).compareTo(b.get(i)) > 0) {
        List<Backend> s = new ArrayList<>(b);
        Collections.sort(s);
        return List.copyOf(s);
      }
    }
    return List.copyOf(b);
  }

  public SortedMap<Frontend, List<Backend>> services() {
    return services;
  }

  static int slotCount(List<Backend> backends) {
    int n = 0;
    for (Backend b : backends) {
      n += b.weight();
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  List<Backend> backendsAt(int i) {
    return (List<Backend>) backends[i];
  }

  /** Every VIP of the frontends: what no backend takes is rejected, not left to time out. */
  public SortedSet<IpAddress> vips() {
    SortedSet<IpAddress> out = new TreeSet<>();
    services.keySet().forEach(f -> out.add(f.vip()));
    return out;
  }

  /** True when some frontend has this VIP. */
  boolean hasVip(IpAddress vip) {
    Frontend ceiling = services.ceilingKey(new Frontend(vip, "", 0, false));
    return ceiling != null && ceiling.vip().equals(vip);
  }

  /**
   * One frontend's elements: {@code vip . protocol . port . slot} to {@code backend . port}, slots
   * 0..n-1 where n is the sum of the weights.
   */
  static SortedMap<String, String> slots(Frontend f, List<Backend> backends) {
    SortedMap<String, String> out = new TreeMap<>();
    int slot = 0;
    for (Backend b : backends) {
      for (int w = 0; w < b.weight(); w++) {
        out.put(f.vip() + " . " + f.protocol() + " . " + f.port() + " . " + slot++, b.address() + " . " + b.port());
      }
    }
    return out;
  }

  /**
   * The slot counts in use by the random ({@code sticky} false) or the ClientIP frontends, largest
   * first: one map and one rule each.
   */
  public SortedSet<Integer> ladder(boolean sticky) {
    return Collections.unmodifiableSortedSet(new TreeSet<>((sticky ? stickyCounts : randomCounts).navigableKeySet()));
  }

  /** Whether some random ({@code sticky} false) or ClientIP frontend has n slots (its map and chain exist). */
  boolean uses(boolean sticky, int n) {
    return (sticky ? stickyCounts : randomCounts).containsKey(n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Balancer b && services.equals(b.services);
  }

  @Override
  public int hashCode() {
    return Objects.hash(services);
  }

  @Override
  public String toString() {
    return "Balancer" + services;
  }
}
