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

  /**
   * Faster failure detection for networks where a daemon restart is rare: probe every 500 ms
   * (250 ms timeout) and suspect for 3 · log10(N) probe intervals. A daemon that restarts slower
   * than that is declared dead meanwhile and its node's overlay traffic pauses until it rejoins.
   */
  public static GossipConfig fast() {
    return defaults().withProbing(500, 250, 3);
  }

  public GossipConfig withProbing(long intervalMillis, long timeoutMillis, int suspicionMult) {
    return new GossipConfig(intervalMillis, timeoutMillis, indirectChecks, suspicionMult, suspicionMaxTimeoutMult,
        gossipIntervalMillis, gossipNodes, gossipToTheDeadMillis, pushPullIntervalMillis, retransmitMult, packetBudget, reapMillis,
        awarenessMax);
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
