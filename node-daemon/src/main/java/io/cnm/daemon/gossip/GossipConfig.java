package io.cnm.daemon.gossip;

/**
 * The protocol's timers and limits; {@link #defaults} are memberlist's LAN defaults (probe every
 * 1 s with a 500 ms timeout, 3 indirect probes, suspicion 4 · log10(N) probe intervals up to 6×
 * that, gossip every 200 ms to 3 members, retransmit 4 · ⌈log10(N+1)⌉, push/pull every 30 s).
 *
 * @param gossipToTheDeadMillis how long a dead member still receives gossip (so it learns it was declared dead)
 * @param reapMillis how long a tombstone (a deleted table entry) is kept before it is forgotten
 */
public record GossipConfig(long probeIntervalMillis, long probeTimeoutMillis, int indirectChecks, int suspicionMult,
    int suspicionMaxTimeoutMult, long gossipIntervalMillis, int gossipNodes, long gossipToTheDeadMillis,
    long pushPullIntervalMillis, int retransmitMult, int packetBudget, long reapMillis, int awarenessMax) {

  public static GossipConfig defaults() {
    return new GossipConfig(1000, 500, 3, 4, 6, 200, 3, 30_000, 30_000, 4, 1400, 30 * 60_000, 8);
  }

  public GossipConfig withPushPull(long millis) {
    return new GossipConfig(probeIntervalMillis, probeTimeoutMillis, indirectChecks, suspicionMult, suspicionMaxTimeoutMult,
        gossipIntervalMillis, gossipNodes, gossipToTheDeadMillis, millis, retransmitMult, packetBudget, reapMillis, awarenessMax);
  }

  public GossipConfig withReap(long millis) {
    return new GossipConfig(probeIntervalMillis, probeTimeoutMillis, indirectChecks, suspicionMult, suspicionMaxTimeoutMult,
        gossipIntervalMillis, gossipNodes, gossipToTheDeadMillis, pushPullIntervalMillis, retransmitMult, packetBudget, millis,
        awarenessMax);
  }
}
