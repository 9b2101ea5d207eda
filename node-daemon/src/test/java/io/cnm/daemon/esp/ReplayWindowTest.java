package io.cnm.daemon.esp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** RFC 4303's window against a model: each sequence number taken at most once, and never one older than the window. */
class ReplayWindowTest {
  @Property(tries = 300)
  void eachSequenceNumberIsAcceptedOnce_andNothingBelowTheWindow(@ForAll @IntRange(min = 0, max = 100_000) int seed,
      @ForAll @IntRange(min = 1, max = 4) int windowWords) {
    int size = windowWords * 64;
    ReplayWindow w = new ReplayWindow(size);
    Random rnd = new Random(seed);
    // Packets mostly in order, some late, some duplicated (a network reorders and an attacker replays).
    List<Long> arrivals = new ArrayList<>();
    for (long s = 1; s <= 2000; s++) {
      arrivals.add(s);
      if (rnd.nextInt(10) == 0) {
        arrivals.add(Math.max(1, s - rnd.nextInt(size * 2)));
      }
    }
    for (int i = 0; i < arrivals.size(); i++) {
      int j = Math.min(arrivals.size() - 1, i + rnd.nextInt(8));
      java.util.Collections.swap(arrivals, i, j);
    }
    Set<Long> taken = new HashSet<>();
    long top = 0;
    for (long s : arrivals) {
      boolean modelTakes = !taken.contains(s) && (s > top || top - s < size);
      assertThat(w.accept(s)).as("seq %d with top %d", s, top).isEqualTo(modelTakes);
      if (modelTakes) {
        taken.add(s);
        top = Math.max(top, s);
      }
    }
    assertThat(w.accept(0)).isFalse();
  }
}
