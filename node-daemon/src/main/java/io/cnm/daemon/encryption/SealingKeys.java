package io.cnm.daemon.encryption;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which key of the keyring seals. A rotation reaches the daemons one by one (each watches the
 * Secret), so a key that is new to the ring only opens for a grace period and seals after it:
 * by then every peer has it, and nothing sealed under it is lost. Every key of the ring opens at
 * once. Keys present at the start count as old, so a restarted daemon seals as its peers do.
 */
public final class SealingKeys {
  private final long graceMillis;
  private final Map<ByteBuffer, Long> firstSeen = new HashMap<>();
  private boolean started;

  public SealingKeys(long graceMillis) {
    this.graceMillis = graceMillis;
  }

  /**
   * The ring as the tunnel takes it, sealing key first: the first key of {@code ring} (the
   * operator's order, primary first) that has been known for the grace period; the ring as it is
   * when none has.
   */
  public synchronized List<byte[]> order(List<byte[]> ring, long nowMillis) {
    for (byte[] k : ring) {
      firstSeen.putIfAbsent(ByteBuffer.wrap(k.clone()), started ? nowMillis : Long.MIN_VALUE / 2);
    }
    started |= !ring.isEmpty();
    firstSeen.keySet().removeIf(k -> ring.stream().noneMatch(r -> ByteBuffer.wrap(r).equals(k)));
    for (int i = 0; i < ring.size(); i++) {
      if (firstSeen.get(ByteBuffer.wrap(ring.get(i))) + graceMillis <= nowMillis) {
        List<byte[]> out = new ArrayList<>(ring.size());
        out.add(ring.get(i));
        for (int j = 0; j < ring.size(); j++) {
          if (j != i) {
            out.add(ring.get(j));
          }
        }
        return out;
      }
    }
    return List.copyOf(ring);
  }

  /** When the sealing key may change next without a new ring (a key's grace ends), or -1. */
  public synchronized long nextChange(long nowMillis) {
    return firstSeen.values().stream().mapToLong(t -> t + graceMillis).filter(t -> t > nowMillis).min().orElse(-1);
  }
}
