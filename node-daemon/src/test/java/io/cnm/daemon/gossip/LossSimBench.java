package io.cnm.daemon.gossip;

import java.util.ArrayList;
import java.util.List;

/**
 * The membership protocol on the simulated network (virtual time, seeded): live members declared
 * dead under 20% packet loss (30 seeds of five minutes for 3, 5 and 20 members, both profiles),
 * and the time until every live member declares a crashed one dead (10, 50 and 100 members, five
 * seeds). What the real-socket bench (GossipBench) cannot show in its 30 s: rare false positives.
 * Run by {@code make bench-gossip}.
 */
public final class LossSimBench {
  private LossSimBench() {}

  public static void main(String[] args) {
    System.out.println("| profile | members | live members declared dead, 20% loss, 30 × 5 min | suspicions |");
    System.out.println("|---|---|---|---|");
    for (int n : new int[] {3, 5, 20}) {
      for (GossipConfig cfg : List.of(GossipConfig.defaults(), GossipConfig.fast())) {
        long dead = 0;
        long suspicions = 0;
        for (long seed = 1; seed <= 30; seed++) {
          SimCluster c = SimCluster.underLoss(n, seed, cfg, 0.20, 300_000);
          dead += c.declaredDead();
          suspicions += c.suspicions();
        }
        System.out.printf("| %s | %d | %d | %d |%n", cfg.probeIntervalMillis() == 1000 ? "default" : "fast", n, dead, suspicions);
      }
    }
    System.out.println();
    System.out.println("| members | crash → declared dead by every live member, default profile, 5 seeds (ms) |");
    System.out.println("|---|---|");
    for (int n : new int[] {10, 50, 100}) {
      List<Long> took = new ArrayList<>();
      for (long seed = 1; seed <= 5; seed++) {
        SimCluster c = SimCluster.of(n, seed, GossipConfig.defaults());
        c.sched.runUntil(() -> c.allSeeAlive(c.all()), 60_000);
        c.sched.runFor(5_000);
        int gone = n - 1;
        c.net.takeDown(SimCluster.addr(gone));
        c.members.get(gone).halt();
        took.add(c.sched.runUntil(() -> c.all().stream().filter(i -> i != gone)
            .allMatch(i -> c.members.get(i).members().get("n" + gone).state() == Member.State.DEAD), 120_000));
      }
      System.out.printf("| %d | %s |%n", n, took);
    }
  }
}
