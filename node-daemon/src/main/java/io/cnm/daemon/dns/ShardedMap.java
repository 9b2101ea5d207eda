package io.cnm.daemon.dns;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map whose new versions copy only the part a change touches. Its entries are spread
 * over shards by hash (about {@value #PER_SHARD} to a shard), and {@link #with} shares every shard
 * the change leaves alone. The embedded DNS's records change one endpoint at a time on a node with
 * thousands of names: a whole copy per change would make every change cost every name.
 *
 * <p>Readers on other threads see a finished version only (each shard is itself immutable).
 * Neither keys nor values may be null.
 */
public final class ShardedMap<K, V> extends AbstractMap<K, V> {
  static final int PER_SHARD = 32;
  private static final int MAX_SHARDS = 1 << 12;
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final ShardedMap<?, ?> EMPTY = new ShardedMap(new Map[] {Map.of()}, 0);

  private final Map<K, V>[] shards;
  private final int size;

  private ShardedMap(Map<K, V>[] shards, int size) {
    this.shards = shards;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  public static <K, V> ShardedMap<K, V> of() {
    return (ShardedMap<K, V>) EMPTY;
  }

  /** The entries of {@code m}, with as many shards as their number calls for. */
  @SuppressWarnings("unchecked")
  public static <K, V> ShardedMap<K, V> copyOf(Map<? extends K, ? extends V> m) {
    if (m instanceof ShardedMap<?, ?> s) {
      return (ShardedMap<K, V>) s;
    }
    if (m.isEmpty()) {
      return of();
    }
    int n = shardsFor(m.size());
    Map<K, V>[] parts = new Map[n];
    for (int i = 0; i < n; i++) {
      parts[i] = new HashMap<>();
    }
    m.forEach((k, v) -> parts[index(k, n)].put(k, v));
    for (int i = 0; i < n; i++) {
      parts[i] = Map.copyOf(parts[i]);
    }
    return new ShardedMap<>(parts, m.size());
  }

  /**
   * This map with {@code puts} put and then {@code removes} removed: a new version that copies only
   * the shards they fall in (all of them, re-spread, when the map has outgrown its shards).
   */
  @SuppressWarnings("unchecked")
  public ShardedMap<K, V> with(Map<? extends K, ? extends V> puts, Collection<?> removes) {
    if (puts.isEmpty() && removes.isEmpty()) {
      return this;
    }
    int n = shards.length;
    if (size + puts.size() > 4 * PER_SHARD * n && n < MAX_SHARDS) {
      Map<K, V> all = new HashMap<>(this);
      all.putAll(puts);
      removes.forEach(all::remove);
      return copyOf(all);
    }
    Map<K, V>[] parts = shards.clone();
    Map<Integer, Map<K, V>> touched = new HashMap<>();
    puts.forEach((k, v) -> touched.computeIfAbsent(index(k, n), i -> new HashMap<>(shards[i])).put(k, v));
    for (Object k : removes) {
      touched.computeIfAbsent(index(k, n), i -> new HashMap<>(shards[i])).remove(k);
    }
    int newSize = size;
    for (Map.Entry<Integer, Map<K, V>> e : touched.entrySet()) {
      newSize += e.getValue().size() - shards[e.getKey()].size();
      parts[e.getKey()] = Map.copyOf(e.getValue());
    }
    return newSize == 0 ? of() : new ShardedMap<>(parts, newSize);
  }

  private static int shardsFor(int entries) {
    int n = Integer.highestOneBit(Math.max(1, entries / PER_SHARD));
    return Math.min(n, MAX_SHARDS);
  }

  private static int index(Object key, int shards) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (shards - 1);
  }

  @Override
  public V get(Object key) {
    return key == null ? null : shards[index(key, shards.length)].get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null; // no null values
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Iterator<>() {
          private int shard;
          private Iterator<Map.Entry<K, V>> in = shards[0].entrySet().iterator();

          @Override
          public boolean hasNext() {
            while (!in.hasNext() && shard + 1 < shards.length) {
              in = shards[++shard].entrySet().iterator();
            }
            return in.hasNext();
          }

          @Override
          public Map.Entry<K, V> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return in.next();
          }
        };
      }
    };
  }

  /** How many shards this version shares with {@code other} (the same instances): what a change did not copy. */
  int sharedShards(ShardedMap<?, ?> other) {
    int same = 0;
    for (int i = 0; i < Math.min(shards.length, other.shards.length); i++) {
      same += shards[i] == other.shards[i] ? 1 : 0;
    }
    return same;
  }
}
