package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartScenarioTest {
  static final GossipConfig CFG = GossipConfig.defaults().withPushPull(5_000);

  static String get(NetworkDb db, String key) {
    var e = db.table("endpoint").getOrDefault("netA", Map.of()).get(key);
    return e == null ? null : new String(e.value(), StandardCharsets.UTF_8);
  }

  void restart(SimCluster c, int i, String key) {
    c.members.get(i).halt();
    c.net.takeDown(SimCluster.addr(i));
    c.sched.runFor(2_000);
    c.net.bringUp(SimCluster.addr(i));
    c.add(i, SimCluster.KEY);
    c.members.get(i).join(List.of(SimCluster.addr(0), SimCluster.addr(1), SimCluster.addr(2)));
    c.dbs.get(i).joinNetwork("netA");
    c.dbs.get(i).put("netA", "endpoint", key, "v".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void restartedMembers_thenOneLost_itsEntryGoesFromTheOthers() {
    SimCluster c = SimCluster.of(3, 21, CFG);
    c.sched.runUntil(() -> c.allSeeAlive(c.all()), 10_000);
    for (int i = 0; i < 3; i++) {
      c.dbs.get(i).joinNetwork("netA");
      c.dbs.get(i).put("netA", "endpoint", "ep" + i, "v".getBytes(StandardCharsets.UTF_8));
    }
    c.sched.runFor(5_000);
    restart(c, 0, "ep0");
    c.sched.runFor(3_000);
    restart(c, 1, "ep1");
    c.sched.runFor(10_000);
    assertThat(get(c.dbs.get(0), "ep1")).isEqualTo("v");
    c.members.get(1).halt();
    c.net.takeDown(SimCluster.addr(1));
    long took = c.sched.runUntil(() -> get(c.dbs.get(0), "ep1") == null && get(c.dbs.get(2), "ep1") == null, 60_000);
    assertThat(took).isBetween(0L, 20_000L);
  }
}
