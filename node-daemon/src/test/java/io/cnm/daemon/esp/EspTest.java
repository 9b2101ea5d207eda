package io.cnm.daemon.esp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ESP with AES-GCM: what is sealed opens to the same bytes, once; anything changed or replayed is dropped, and said why. */
class EspTest {
  static byte[] keymat(int keyBytes) {
    byte[] k = new byte[keyBytes + 4];
    new SecureRandom().nextBytes(k);
    return k;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 63, 64, 1450, 8950})
  void sealedThenOpened_givesThePayloadBack_alignedAndNoLongerThanTheOverhead(int length) throws Exception {
    byte[] km = keymat(32);
    SecurityAssociation out = new SecurityAssociation(0x1000, km);
    SecurityAssociation in = new SecurityAssociation(0x1000, km);
    byte[] payload = new byte[length];
    new SecureRandom().nextBytes(payload);
    byte[] packet = Esp.seal(out, 17, payload, 0, length);
    assertThat(packet.length).isLessThanOrEqualTo(length + Esp.MAX_OVERHEAD);
    assertThat((packet.length - Esp.HEADER - Esp.IV - Esp.ICV) % 4).as("trailer 4-byte aligned").isZero();
    Esp.Opened o = Esp.open(in, new ReplayWindow(1024), packet, 0, packet.length);
    assertThat(o.payload()).isEqualTo(payload);
    assertThat(o.nextHeader()).isEqualTo(17);
    assertThat(o.sequence()).isEqualTo(1);
  }

  @Test
  void thePlaintextNeverAppearsInThePacket_andTheSpiAndSequenceAreInTheClear() {
    SecurityAssociation sa = new SecurityAssociation(0xC0FFEE01, keymat(16));
    byte[] marker = "cnm-plaintext-marker-0123456789".getBytes(StandardCharsets.US_ASCII);
    byte[] first = Esp.seal(sa, 17, marker, 0, marker.length);
    byte[] second = Esp.seal(sa, 17, marker, 0, marker.length);
    assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("marker");
    assertThat(Esp.spi(first, 0)).isEqualTo(0xC0FFEE01);
    assertThat(java.nio.ByteBuffer.wrap(second, 4, 4).getInt()).isEqualTo(2);
    // The same payload twice gives two different ciphertexts (the IV is the sequence number).
    assertThat(java.util.Arrays.copyOfRange(first, 16, first.length)).isNotEqualTo(java.util.Arrays.copyOfRange(second, 16, second.length));
  }

  @Test
  void anyChangedByte_isDroppedAsAuthenticationFailure_andDoesNotMoveTheWindow() throws Exception {
    byte[] km = keymat(32);
    SecurityAssociation out = new SecurityAssociation(0x2000, km);
    SecurityAssociation in = new SecurityAssociation(0x2000, km);
    ReplayWindow w = new ReplayWindow(64);
    byte[] good = Esp.seal(out, 17, new byte[100], 0, 100);
    for (int i = 4; i < good.length; i++) { // every byte after the SPI: sequence, IV, ciphertext, ICV
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> Esp.open(in, w, bad, 0, bad.length)).isInstanceOfSatisfying(Esp.Dropped.class,
          e -> assertThat(e.why).isIn(Esp.Drop.AUTHENTICATION, Esp.Drop.REPLAY));
    }
    assertThat(w.highest()).isZero();
    assertThat(Esp.open(in, w, good, 0, good.length).sequence()).isEqualTo(1);
  }

  @Test
  void aReplayedPacket_isDroppedAsReplay() throws Exception {
    byte[] km = keymat(16);
    SecurityAssociation out = new SecurityAssociation(0x3000, km);
    SecurityAssociation in = new SecurityAssociation(0x3000, km);
    ReplayWindow w = new ReplayWindow(64);
    byte[] p = Esp.seal(out, 17, new byte[10], 0, 10);
    Esp.open(in, w, p, 0, p.length);
    assertThatThrownBy(() -> Esp.open(in, w, p, 0, p.length)).isInstanceOfSatisfying(Esp.Dropped.class,
        e -> assertThat(e.why).isEqualTo(Esp.Drop.REPLAY));
  }

  @Test
  void anotherKeyOrSpi_isDropped() {
    SecurityAssociation out = new SecurityAssociation(0x4000, keymat(32));
    byte[] p = Esp.seal(out, 17, new byte[10], 0, 10);
    assertThatThrownBy(() -> Esp.open(new SecurityAssociation(0x4000, keymat(32)), new ReplayWindow(64), p, 0, p.length))
        .isInstanceOfSatisfying(Esp.Dropped.class, e -> assertThat(e.why).isEqualTo(Esp.Drop.AUTHENTICATION));
    assertThatThrownBy(() -> Esp.open(new SecurityAssociation(0x4001, keymat(32)), new ReplayWindow(64), p, 0, p.length))
        .isInstanceOfSatisfying(Esp.Dropped.class, e -> assertThat(e.why).isEqualTo(Esp.Drop.UNKNOWN_SPI));
  }

  @Test
  void reservedSpisAndWrongKeyLengths_areRefused() {
    assertThatThrownBy(() -> new SecurityAssociation(255, keymat(16))).hasMessageContaining("reserved");
    assertThatThrownBy(() -> new SecurityAssociation(0x5000, new byte[17])).hasMessageContaining("16, 24 or 32 byte key");
  }
}
