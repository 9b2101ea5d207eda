package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The network-scoped tables on the simulated network: members n0..n(N-1); network "netA" has the
 * members the test joins to it; entries are in table "endpoint".
 */
class NetworkDbTest {
  static final GossipConfig CFG = GossipConfig.defaults().withReap(60_000);

  static byte[] v(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String get(NetworkDb db, String net, String key) {
    var e = db.table("endpoint").getOrDefault(net, Map.of()).get(key);
    return e == null ? null : new String(e.value(), StandardCharsets.UTF_8);
  }

  SimCluster joined(int n, long seed, int... inNetwork) {
    SimCluster c = SimCluster.of(n, seed, CFG);
    c.sched.runUntil(() -> c.allSeeAlive(c.all()), 10_000);
    for (int i : inNetwork) {
      c.dbs.get(i).joinNetwork("netA");
    }
    c.sched.runFor(2_000);
    return c;
  }

  @Test
  void entry_reachesMembersOfItsNetwork_only() {
    SimCluster c = joined(3, 11, 0, 1);
    c.dbs.get(1).put("netA", "endpoint", "ep1", v("10.0.0.2"));
    c.sched.runFor(2_000);
    assertThat(get(c.dbs.get(0), "netA", "ep1")).isEqualTo("10.0.0.2");
    assertThat(c.dbs.get(2).table("endpoint")).doesNotContainKey("netA");
  }

  @Test
  void update_andDelete_spread_andTheTombstoneIsReaped() {
    SimCluster c = joined(3, 12, 0, 1, 2);
    c.dbs.get(1).put("netA", "endpoint", "ep1", v("a"));
    c.sched.runFor(2_000);
    c.dbs.get(1).put("netA", "endpoint", "ep1", v("b"));
    c.sched.runFor(2_000);
    assertThat(get(c.dbs.get(2), "netA", "ep1")).isEqualTo("b");
    c.dbs.get(1).delete("netA", "endpoint", "ep1");
    c.sched.runFor(2_000);
    assertThat(get(c.dbs.get(0), "netA", "ep1")).isNull();
    assertThat(c.dbs.get(0).tombstones()).isEqualTo(1);
    c.sched.runFor(CFG.reapMillis() + 30_000);
    assertThat(c.dbs.get(0).tombstones()).isZero();
  }

  @Test
  void staleEvent_withAnOlderLamportTime_isIgnored() {
    SimCluster c = joined(2, 13, 0, 1);
    c.dbs.get(1).put("netA", "endpoint", "ep1", v("new"));
    c.sched.runFor(2_000);
    long ltime = c.dbs.get(0).table("endpoint").get("netA").get("ep1").ltime();
    c.sched.execute(() -> c.dbs.get(0).notify(new Message.TableEvent("netA", "endpoint", "ep1", "n1", ltime - 1, false, v("old"))));
    c.sched.runFor(100);
    assertThat(get(c.dbs.get(0), "netA", "ep1")).isEqualTo("new");
  }

  @Test
  void ownerDeclaredDead_itsEntriesVanishEverywhere() {
    SimCluster c = joined(3, 14, 0, 1, 2);
    c.dbs.get(2).put("netA", "endpoint", "ep2", v("x"));
    c.sched.runFor(2_000);
    assertThat(get(c.dbs.get(0), "netA", "ep2")).isEqualTo("x");
    c.members.get(2).halt();
    c.net.takeDown(SimCluster.addr(2));
    long took = c.sched.runUntil(() -> get(c.dbs.get(0), "netA", "ep2") == null && get(c.dbs.get(1), "netA", "ep2") == null, 60_000);
    assertThat(took).isBetween(0L, 30_000L);
  }

  @Test
  void partitionedPeers_missAnEntry_thenLearnItByTheFullSync_afterHealing() {
    GossipConfig cfg = CFG.withPushPull(10_000);
    SimCluster c = SimCluster.of(3, 15, cfg);
    c.sched.runUntil(() -> c.allSeeAlive(c.all()), 10_000);
    c.dbs.get(0).joinNetwork("netA");
    c.dbs.get(1).joinNetwork("netA");
    c.sched.runFor(2_000);
    c.net.partition(SimCluster.addr(0), SimCluster.addr(1));
    c.dbs.get(1).put("netA", "endpoint", "late", v("y"));
    c.sched.runFor(15_000);
    assertThat(get(c.dbs.get(0), "netA", "late")).as("n2 is not in netA, so nothing relays it").isNull();
    c.net.heal();
    long took = c.sched.runUntil(() -> "y".equals(get(c.dbs.get(0), "netA", "late")), 60_000);
    assertThat(took).isBetween(0L, cfg.pushPullIntervalMillis() + 1_000);
  }

  @Test
  void fiftyEntries_converge_underTwentyPercentLoss() {
    SimCluster c = joined(5, 16, 0, 1, 2, 3, 4);
    c.net.loss = 0.2;
    for (int i = 0; i < 50; i++) {
      c.dbs.get(i % 5).put("netA", "endpoint", "ep" + i, v("ip" + i));
    }
    long took = c.sched.runUntil(() -> c.dbs.stream().allMatch(db -> db.table("endpoint").getOrDefault("netA", Map.of()).size() == 50),
        120_000);
    assertThat(took).isBetween(0L, 60_000L);
    long dead = c.members.stream().mapToLong(m -> m.stats().declaredDead.get()).sum();
    assertThat(dead).isZero();
  }

  @Test
  void leavingANetwork_dropsTheLeaversEntriesOnTheOthers() {
    SimCluster c = joined(3, 17, 0, 1, 2);
    c.dbs.get(2).put("netA", "endpoint", "ep2", v("z"));
    c.sched.runFor(2_000);
    assertThat(get(c.dbs.get(0), "netA", "ep2")).isEqualTo("z");
    c.dbs.get(2).leaveNetwork("netA");
    c.sched.runFor(3_000);
    assertThat(get(c.dbs.get(0), "netA", "ep2")).isNull();
    assertThat(c.dbs.get(0).nodeNetworks().getOrDefault("n2", java.util.Set.of())).doesNotContain("netA");
  }
}
