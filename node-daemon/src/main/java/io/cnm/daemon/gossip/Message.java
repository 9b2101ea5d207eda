package io.cnm.daemon.gossip;

import java.util.List;

/**
 * The gossip's messages. SWIM's (ping, indirect ping, ack, nack; alive, suspect, dead with
 * incarnation numbers; the push/pull state) and networkdb's (a node joining or leaving a
 * network's group; a table entry's event with its Lamport time). Encoded by {@link Codec}.
 */
public sealed interface Message {
  /** Direct probe; {@code target} names who should answer, so a reused address answers nothing. */
  record Ping(int seq, String target, String from, String fromAddr) implements Message {}

  /** Asks {@code from}'s peer to probe {@code target} on its behalf (SWIM's ping-req). */
  record IndirectPing(int seq, String target, String targetAddr, String from, String fromAddr, boolean wantNack) implements Message {}

  record Ack(int seq, String from) implements Message {}

  /** The indirect prober could not reach the target: tells the requester its own link works (Lifeguard). */
  record Nack(int seq, String from) implements Message {}

  record Alive(String name, String addr, long incarnation) implements Message {}

  record Suspect(String name, long incarnation, String from) implements Message {}

  /** {@code from == name}: the member left on purpose. */
  record Dead(String name, long incarnation, String from) implements Message {}

  /** A node joined (or left) a network's gossip group, at Lamport time {@code ltime} of the network clock. */
  record NetworkEvent(String node, String network, long ltime, boolean leave) implements Message {}

  /** A table entry created, updated or deleted (a tombstone) by its owner, at Lamport time {@code ltime}. */
  record TableEvent(String network, String table, String key, String owner, long ltime, boolean deleted, byte[] value)
      implements Message {}

  /** A member's state in a push/pull. */
  record MemberState(String name, String addr, long incarnation, int state) {}

  /**
   * Full state for the periodic sync that heals partitions: members, the node-network groups,
   * and table entries of the networks named in {@code networks} (a network sync sends one).
   */
  record PushPull(String from, boolean join, List<MemberState> members, List<NetworkEvent> nodeNetworks, List<String> networks,
      List<TableEvent> entries) implements Message {}
}
