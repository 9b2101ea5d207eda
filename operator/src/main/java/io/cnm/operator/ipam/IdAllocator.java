package io.cnm.operator.ipam;

import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** Unique integer IDs in [min, max] with owners (overlay VNIs). Serial like {@link AddressPool}. */
final class IdAllocator {
  private final int min;
  private final int max;
  private final BitSet used = new BitSet();
  private final Map<String, Integer> byOwner = new HashMap<>();
  private final Map<Integer, String> byId = new HashMap<>();
  private int cursor;

  IdAllocator(int min, int max) {
    this.min = min;
    this.max = max;
    this.cursor = min;
  }

  int inUse() {
    return byOwner.size();
  }

  int allocate(String owner) {
    Integer mine = byOwner.get(owner);
    if (mine != null) {
      return mine;
    }
    int i = used.nextClearBit(cursor);
    if (i > max) {
      i = used.nextClearBit(min);
    }
    if (i > max) {
      throw new CnmException.Conflict(Reasons.POOL_EXHAUSTED, "no free VNI left in " + min + "-" + max);
    }
    cursor = i + 1;
    return take(owner, i);
  }

  /** A given ID (from the spec, or restored from status); the range limits only automatic allocation. */
  int claim(String owner, int id) {
    Integer mine = byOwner.get(owner);
    if (mine != null && mine == id) {
      return id;
    }
    String holder = byId.get(id);
    if (holder != null) {
      throw new CnmException.Conflict(Reasons.VNI_CONFLICT, "VNI " + id + " is already used by network " + holder, holder);
    }
    if (mine != null) {
      release(owner);
    }
    return take(owner, id);
  }

  private int take(String owner, int id) {
    used.set(id);
    byOwner.put(owner, id);
    byId.put(id, owner);
    return id;
  }

  void release(String owner) {
    Integer id = byOwner.remove(owner);
    if (id != null) {
      byId.remove(id);
      used.clear(id);
    }
  }
}
