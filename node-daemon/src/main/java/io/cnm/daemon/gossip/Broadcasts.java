package io.cnm.daemon.gossip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Piggy-backed dissemination (memberlist's TransmitLimitedQueue): each broadcast rides on
 * outgoing packets, least-sent first, until it has been sent {@code retransmitLimit} times. A
 * newer broadcast about the same subject (a member, a table key) replaces an older one.
 */
public final class Broadcasts {
  private final IntSupplier limit;
  private final Map<String, Item> items = new LinkedHashMap<>();
  private long order;

  private static final class Item {
    final byte[] body;
    final long order;
    int transmits;

    Item(byte[] body, long order) {
      this.body = body;
      this.order = order;
    }
  }

  /** @param limit the current retransmit limit (it grows with the group) */
  public Broadcasts(IntSupplier limit) {
    this.limit = limit;
  }

  /** Queues an encoded message (see {@link Codec#body}); {@code subject} invalidates older ones about the same thing. */
  public void add(String subject, byte[] body) {
    items.put(subject, new Item(body, order++));
  }

  public int size() {
    return items.size();
  }

  /** Takes broadcasts that fit in {@code budget} bytes, counting a transmission for each. */
  public List<byte[]> take(int budget) {
    if (items.isEmpty()) {
      return List.of();
    }
    List<Map.Entry<String, Item>> sorted = new ArrayList<>(items.entrySet());
    sorted.sort(Comparator.comparingInt((Map.Entry<String, Item> e) -> e.getValue().transmits)
        .thenComparing(e -> -e.getValue().order));
    List<byte[]> out = new ArrayList<>();
    int used = 0;
    int max = limit.getAsInt();
    for (var e : sorted) {
      Item it = e.getValue();
      if (used + it.body.length > budget) {
        continue;
      }
      used += it.body.length;
      out.add(it.body);
      if (++it.transmits >= max) {
        items.remove(e.getKey());
      }
    }
    return out;
  }
}
