package io.cnm.daemon.gossip;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one gossip member, for tests, benchmarks and (later) metrics. */
public final class GossipStats {
  public final AtomicLong packetsSent = new AtomicLong();
  public final AtomicLong bytesSent = new AtomicLong();
  public final AtomicLong packetsReceived = new AtomicLong();
  /** Packets that did not open under the keyring (unknown key, forged) or did not decode. */
  public final AtomicLong rejected = new AtomicLong();
  public final AtomicLong suspicions = new AtomicLong();
  public final AtomicLong refutations = new AtomicLong();
  public final AtomicLong declaredDead = new AtomicLong();
  public final AtomicLong pushPulls = new AtomicLong();
}
