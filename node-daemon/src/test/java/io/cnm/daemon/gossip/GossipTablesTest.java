package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.agent.EndpointRecord;
import io.cnm.daemon.agent.GossipTables;
import io.cnm.daemon.agent.ServiceBackendRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's adapter over the tables, on the simulated cluster: n0 and n1 share network
 * "net1"; n1 publishes endpoint "t/web" (10.0.0.3) and a backend of service "t/api".
 */
class GossipTablesTest {
  final EndpointRecord web = new EndpointRecord("net1", "n1", List.of("web"), IpAddress.parse("10.0.0.3"), "02:42:0a:00:00:03",
      IpAddress.parse("198.19.0.12"));
  final ServiceBackendRecord backend = new ServiceBackendRecord("net1", "n1", "t/api", null, IpAddress.parse("10.0.0.3"));

  @Test
  void published_reachTheOtherMember_withdrawn_vanish_andAPreviousLifesRecordsAreDeleted() {
    SimCluster c = SimCluster.of(2, 31, GossipConfig.defaults());
    c.sched.runUntil(() -> c.allSeeAlive(c.all()), 10_000);
    GossipTables t0 = new GossipTables(c.dbs.get(0), "n0");
    GossipTables t1 = new GossipTables(c.dbs.get(1), "n1");
    t0.publish(Map.of("net1", Map.of()), Map.of());
    // A previous life of n1 left a record it no longer has.
    c.dbs.get(1).joinNetwork("net1");
    c.dbs.get(1).put("net1", EndpointRecord.TABLE, "t/gone", web.encode());
    c.sched.runFor(2_000);
    assertThat(t0.endpoints().get("net1")).hasSize(1);
    t1.publish(Map.of("net1", Map.of("t/web", web)), Map.of("net1", Map.of(ServiceBackendRecord.key("t/api", "t/web"), backend)));
    c.sched.runFor(2_000);
    assertThat(t0.endpoints().get("net1")).as("t/gone deleted, t/web published").containsExactly(web);
    assertThat(t0.serviceBackends().get("net1")).containsExactly(backend);
    t1.publish(Map.of("net1", Map.of("t/web", web)), Map.of());
    c.sched.runFor(2_000);
    assertThat(t0.serviceBackends().get("net1")).isEmpty();
    t1.publish(Map.of(), Map.of());
    c.sched.runFor(2_000);
    assertThat(t0.endpoints().getOrDefault("net1", List.of())).as("n1 left net1: its records dropped").isEmpty();
  }
}
