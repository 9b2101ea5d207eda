package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardedMapTest {
  /** Many versions, each from the last by a few puts and removes, against a plain map changed the same way. */
  @Test
  void everyVersion_holdsWhatAPlainMapChangedTheSameWayHolds_andTheVersionsBeforeAreUnchanged() {
    Random rnd = new Random(7);
    Map<String, Integer> model = new HashMap<>();
    ShardedMap<String, Integer> map = ShardedMap.of();
    List<ShardedMap<String, Integer>> versions = new ArrayList<>();
    List<Map<String, Integer>> models = new ArrayList<>();
    for (int step = 0; step < 3000; step++) {
      Map<String, Integer> puts = new HashMap<>();
      List<String> removes = new ArrayList<>();
      for (int i = rnd.nextInt(step < 1500 ? 6 : 3); i >= 0; i--) {
        String k = "k" + rnd.nextInt(step < 1500 ? 5000 : 800);
        if (rnd.nextInt(step < 1500 ? 5 : 2) == 0) {
          removes.add(k);
        } else {
          puts.put(k, step);
        }
      }
      map = map.with(puts, removes);
      model.putAll(puts);
      removes.forEach(model::remove);
      assertThat(map).isEqualTo(model);
      assertThat(map.size()).isEqualTo(model.size());
      assertThat(map.hashCode()).isEqualTo(model.hashCode());
      if (step % 300 == 0) {
        versions.add(map);
        models.add(new HashMap<>(model));
      }
    }
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i)).isEqualTo(models.get(i));
    }
    assertThat(map.get("absent")).isNull();
    assertThat(map.containsKey(null)).isFalse();
  }

  @Test
  void aChange_copiesOnlyTheShardItFallsIn() {
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      names.put("name-" + i, i);
    }
    ShardedMap<String, Integer> before = ShardedMap.copyOf(names);
    ShardedMap<String, Integer> after = before.with(Map.of("new", 1), List.of("name-7"));
    int shards = 3000 / ShardedMap.PER_SHARD >= 64 ? 64 : 0;
    assertThat(shards).as("3,000 entries make 64 shards").isEqualTo(64);
    assertThat(after.sharedShards(before)).isBetween(62, 63);
    assertThat(after).containsEntry("new", 1).doesNotContainKey("name-7").hasSize(3000);
    assertThat(before).doesNotContainKey("new").containsEntry("name-7", 7);
    assertThat(before.with(Map.of(), List.of())).isSameAs(before);
    assertThat(ShardedMap.copyOf(Map.of("a", 1)).with(Map.of(), List.of("a"))).isEmpty();
  }
}
