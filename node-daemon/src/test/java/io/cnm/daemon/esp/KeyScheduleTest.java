package io.cnm.daemon.esp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.IpAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key schedule: both nodes derive the same association, and every input changes the key. */
class KeyScheduleTest {
  static final byte[] K = new byte[32];
  static final IpAddress A = IpAddress.parse("198.19.0.11");
  static final IpAddress B = IpAddress.parse("198.19.0.12");

  static {
    for (int i = 0; i < K.length; i++) {
      K[i] = (byte) i;
    }
  }

  @Test
  void theSpiCarriesTagSessionAndEpoch_andIsNeverReserved() {
    int spi = KeySchedule.spi(K, 0xBEEF, 1023);
    assertThat(KeySchedule.tagOf(spi)).isEqualTo(KeySchedule.tag(K));
    assertThat(KeySchedule.sessionOf(spi)).isEqualTo(0xBEEF);
    assertThat(KeySchedule.epochOf(spi)).isEqualTo(1023);
    assertThat(Integer.toUnsignedLong(KeySchedule.spi(K, 0, 0))).isGreaterThan(255);
    assertThatThrownBy(() -> KeySchedule.spi(K, 0, KeySchedule.EPOCHS)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bothEndsDeriveTheSameKey_andEachDirectionSessionEpochAndKeyItsOwn() throws Exception {
    int spi = KeySchedule.spi(K, 7, 0);
    SecurityAssociation sender = KeySchedule.association(K, spi, A, B, 9);
    SecurityAssociation receiver = KeySchedule.association(K, spi, A, B, 9);
    byte[] p = Esp.seal(sender, 17, new byte[] {1, 2, 3}, 0, 3);
    assertThat(Esp.open(receiver, new ReplayWindow(64), p, 0, p.length).payload()).containsExactly(1, 2, 3);

    Set<String> keys = new HashSet<>();
    byte[] other = K.clone();
    other[0] ^= 1;
    for (SecurityAssociation sa : new SecurityAssociation[] {sender, KeySchedule.association(K, spi, B, A, 9),
        KeySchedule.association(K, spi, A, B, 10), KeySchedule.association(K, KeySchedule.spi(K, 7, 1), A, B, 9),
        KeySchedule.association(K, KeySchedule.spi(K, 8, 0), A, B, 9), KeySchedule.association(other, spi, A, B, 9)}) {
      keys.add(java.util.HexFormat.of().formatHex(sa.key()) + java.util.HexFormat.of().formatHex(sa.salt()));
    }
    assertThat(keys).as("six inputs, six keys").hasSize(6);
    assertThat(sender.key()).as("never the keyring key itself (the gossip's)").isNotEqualTo(K);
  }

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    byte[] ikm = java.util.HexFormat.of().parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = java.util.HexFormat.of().parseHex("000102030405060708090a0b0c");
    byte[] info = java.util.HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(java.util.HexFormat.of().formatHex(KeySchedule.hkdf(salt, ikm, info, 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }
}
