package io.cnm.daemon.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A key new to the ring opens at once but seals only after the grace period; keys of the start seal at once. */
class SealingKeysTest {
  final byte[] k1 = {1};
  final byte[] k2 = {2};
  final byte[] k3 = {3};

  @Test
  void aRotatedInPrimary_sealsOnlyAfterTheGrace_theOldPrimarySealsMeanwhile() {
    SealingKeys s = new SealingKeys(10_000);
    assertThat(s.order(List.of(k1), 1_000)).containsExactly(k1); // at the start: seals at once
    assertThat(s.nextChange(1_000)).isEqualTo(-1);
    // The operator rotates: k2 first. Until every daemon has it, k1 still seals.
    assertThat(s.order(List.of(k2, k1), 5_000)).containsExactly(k1, k2);
    assertThat(s.nextChange(5_000)).isEqualTo(15_000);
    assertThat(s.order(List.of(k2, k1), 14_999)).containsExactly(k1, k2);
    assertThat(s.order(List.of(k2, k1), 15_000)).containsExactly(k2, k1);
    assertThat(s.nextChange(15_000)).isEqualTo(-1);
  }

  @Test
  void aSecondRotationWithinTheGrace_keepsTheLastSettledKey_andAKeyThatLeftIsForgotten() {
    SealingKeys s = new SealingKeys(10_000);
    s.order(List.of(k1), 0);
    assertThat(s.order(List.of(k2, k1), 1_000)).containsExactly(k1, k2);
    assertThat(s.order(List.of(k3, k2, k1), 2_000)).containsExactly(k1, k3, k2);
    assertThat(s.order(List.of(k3, k2, k1), 11_000)).containsExactly(k2, k3, k1);
    assertThat(s.order(List.of(k3, k2), 11_500)).containsExactly(k2, k3); // k1 left the ring
    assertThat(s.order(List.of(k3, k2), 12_000)).containsExactly(k3, k2);
  }

  @Test
  void aRingOfOnlyNewKeys_isTakenAsItIs_nothingWaitsForever() {
    SealingKeys s = new SealingKeys(10_000);
    s.order(List.of(k1), 0);
    assertThat(s.order(List.of(k2), 1_000)).containsExactly(k2); // k1 gone: k2 is all there is
  }
}
