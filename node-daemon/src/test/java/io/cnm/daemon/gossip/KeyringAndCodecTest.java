package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The keyring's sealing and rotation, and the wire format's round trip. */
class KeyringAndCodecTest {
  static byte[] key(int b) {
    byte[] k = new byte[32];
    k[0] = (byte) b;
    return k;
  }

  @Test
  void sealed_opensUnderAnyKeyOfTheRing_andOnlyThePrimarySeals() {
    Keyring old = new Keyring(List.of(key(1)));
    Keyring rotated = new Keyring(List.of(key(2), key(1)));
    byte[] fromOld = old.seal("hello".getBytes());
    assertThat(new String(rotated.open(fromOld))).isEqualTo("hello");
    byte[] fromRotated = rotated.seal("world".getBytes());
    assertThat(old.open(fromRotated)).as("old ring lacks the new primary").isNull();
    assertThat(old.unknownKeyDrops()).isEqualTo(1);
  }

  @Test
  void tamperedOrTruncated_isRejectedAndCounted() {
    Keyring ring = new Keyring(List.of(key(1)));
    byte[] sealed = ring.seal("secret".getBytes());
    sealed[sealed.length - 1] ^= 1;
    assertThat(ring.open(sealed)).isNull();
    assertThat(ring.open(new byte[5])).isNull();
    assertThat(ring.forgedDrops()).isEqualTo(2);
    assertThat(new String(ring.seal("x".getBytes()))).doesNotContain("x\u0000").isNotEqualTo("x");
  }

  @Test
  void ringOfMoreThanThreeKeys_orAKeyOfABadLength_isRefused() {
    assertThatThrownBy(() -> new Keyring(List.of(key(1), key(2), key(3), key(4)))).hasMessageContaining("1 to 3 keys");
    assertThatThrownBy(() -> new Keyring(List.of(new byte[7]))).hasMessageContaining("16, 24 or 32 bytes");
  }

  @Test
  void everyMessage_roundTrips() {
    List<Message> all = List.of(new Message.Ping(1, "a", "b", "1.2.3.4:7947"),
        new Message.IndirectPing(2, "a", "1.2.3.5:7947", "b", "1.2.3.4:7947", true), new Message.Ack(3, "a"),
        new Message.Nack(4, "a"), new Message.Alive("a", "1.2.3.4:7947", 5), new Message.Suspect("a", 6, "b"),
        new Message.Dead("a", 7, "a"), new Message.NetworkEvent("a", "n", 8, true));
    assertThat(Codec.decode(Codec.encode(all))).isEqualTo(all);
    Message.TableEvent t = new Message.TableEvent("n", "endpoint", "k", "a", 9, false, new byte[] {1, 2});
    Message.TableEvent back = (Message.TableEvent) Codec.decode(Codec.encode(List.of(t))).get(0);
    assertThat(back.value()).containsExactly(1, 2);
    Message.PushPull p = new Message.PushPull("a", true, List.of(new Message.MemberState("a", "1.2.3.4:1", 1, 0)),
        List.of(new Message.NetworkEvent("a", "n", 1, false)), List.of("n"), List.of(t));
    Message.PushPull q = (Message.PushPull) Codec.decode(Codec.encode(List.of(p))).get(0);
    assertThat(q.members()).isEqualTo(p.members());
    assertThat(q.networks()).containsExactly("n");
  }

  @Test
  void unknownMessageType_fromANewerPeer_isSkipped() {
    byte[] packet = Codec.compound(List.of(new byte[] {42, 0, 1, 7}, Codec.body(new Message.Ack(1, "a"))));
    assertThat(Codec.decode(packet)).containsExactly(new Message.Ack(1, "a"));
  }
}
