package io.cnm.daemon.gossip;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * N simulated members (name {@code nI}, address 127.0.0.1:10000+I) on one {@link SimScheduler}
 * and {@link InMemoryNetwork}, each with a {@link Memberlist} and a {@link NetworkDb}, sharing a
 * keyring unless told otherwise. Seeded: every run is the same.
 */
final class SimCluster {
  static final byte[] KEY = new byte[32];
  final SimScheduler sched = new SimScheduler();
  final InMemoryNetwork net;
  final GossipConfig cfg;
  final long seed;
  final List<Memberlist> members = new ArrayList<>();
  final List<NetworkDb> dbs = new ArrayList<>();

  SimCluster(long seed, GossipConfig cfg) {
    this.seed = seed;
    this.cfg = cfg;
    this.net = new InMemoryNetwork(sched, seed);
  }

  static InetSocketAddress addr(int i) {
    return new InetSocketAddress("127.0.0.1", 10000 + i);
  }

  /** Adds member i (replacing a previous one of that index) and starts it, seeded with member 0. */
  int add(int i, byte[] key) {
    Memberlist ml = new Memberlist("n" + i, cfg, net.transport(addr(i)), new Keyring(List.of(key)), sched, new Random(seed * 31 + i));
    NetworkDb db = new NetworkDb("n" + i, 0);
    ml.start(db, List.of(addr(0)));
    db.attach(ml);
    if (i < members.size()) {
      members.set(i, ml);
      dbs.set(i, db);
    } else {
      members.add(ml);
      dbs.add(db);
    }
    return i;
  }

  /** n members, each joining through member 0. */
  static SimCluster of(int n, long seed, GossipConfig cfg) {
    SimCluster c = new SimCluster(seed, cfg);
    for (int i = 0; i < n; i++) {
      c.add(i, KEY);
    }
    for (int i = 1; i < n; i++) {
      c.members.get(i).join(List.of(addr(0)));
    }
    return c;
  }

  /** n members joined, then {@code millis} of protocol with {@code loss} of the packets dropped. */
  static SimCluster underLoss(int n, long seed, GossipConfig cfg, double loss, long millis) {
    SimCluster c = of(n, seed, cfg);
    c.sched.runUntil(() -> c.allSeeAlive(c.all()), 20_000);
    c.net.loss = loss;
    c.sched.runFor(millis);
    return c;
  }

  /** Live members declared dead, summed over the members' counts. */
  long declaredDead() {
    return members.stream().mapToLong(m -> m.stats().declaredDead.get()).sum();
  }

  long suspicions() {
    return members.stream().mapToLong(m -> m.stats().suspicions.get()).sum();
  }

  /** Cuts member i off from every other member, both ways. */
  void isolate(int i) {
    for (int j = 0; j < members.size(); j++) {
      if (j != i) {
        net.partition(addr(i), addr(j));
      }
    }
  }

  /** Whether every member in {@code who} sees every other in {@code who} alive. */
  boolean allSeeAlive(List<Integer> who) {
    for (int i : who) {
      Map<String, Member> view = members.get(i).members();
      for (int j : who) {
        Member m = view.get("n" + j);
        if (m == null || m.state() != Member.State.ALIVE) {
          return false;
        }
      }
    }
    return true;
  }

  List<Integer> all() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      out.add(i);
    }
    return out;
  }
}
