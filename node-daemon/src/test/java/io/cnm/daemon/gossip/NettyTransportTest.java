package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gossip over the real Netty transport: members on 127.0.0.1:23000+i (UDP and TCP), real
 * sockets, wall-clock timers; one member with another key; one forged datagram.
 */
class NettyTransportTest {
  record M(Memberlist ml, NetworkDb db, RealScheduler s, NettyTransport t) {}

  final List<M> started = new ArrayList<>();

  M member(int i, byte[] key) {
    NettyTransport t = new NettyTransport(new InetSocketAddress("127.0.0.1", 23000 + i), null);
    RealScheduler s = new RealScheduler("test-gossip-" + i);
    Memberlist ml = new Memberlist("m" + i, GossipConfig.defaults(), t, new Keyring(List.of(key)), s, new Random(i));
    NetworkDb db = new NetworkDb("m" + i, System.currentTimeMillis());
    ml.start(db, List.of(new InetSocketAddress("127.0.0.1", 23000)));
    db.attach(ml);
    M m = new M(ml, db, s, t);
    started.add(m);
    return m;
  }

  @AfterEach
  void stop() {
    started.forEach(m -> {
      m.ml().halt();
      m.t().close();
      m.s().close();
    });
  }

  @Test
  void realSockets_membersJoin_anEntrySpreads_aWrongKeyAndAForgedDatagramAreRejectedAndCounted() throws Exception {
    byte[] key = new byte[32];
    key[0] = 9;
    M a = member(0, key);
    M b = member(1, key);
    M c = member(2, key);
    b.ml().join(List.of(a.t().localAddress())).get();
    c.ml().join(List.of(a.t().localAddress())).get();
    await().atMost(Duration.ofSeconds(10)).until(() -> started.stream().allMatch(m -> m.ml().members().size() == 3));
    a.db().joinNetwork("n");
    c.db().joinNetwork("n");
    Thread.sleep(500);
    c.db().put("n", "endpoint", "k", "v".getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.db().table("endpoint").getOrDefault("n", Map.of()).containsKey("k"));
    assertThat(b.db().table("endpoint")).as("b is not in network n").doesNotContainKey("n");

    byte[] other = new byte[32];
    M rogue = member(3, other);
    assertThat(rogue.ml().join(List.of(a.t().localAddress())).get()).as("push/pull answered by nobody").isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.ml().keyring().unknownKeyDrops() > 0);
    assertThat(a.ml().members()).doesNotContainKey("m3");
    long forgedBefore = a.ml().keyring().forgedDrops();
    try (DatagramSocket s = new DatagramSocket()) {
      // A genuinely sealed message (valid key ID) with one ciphertext bit flipped: must fail authentication.
      byte[] forged = new Keyring(List.of(key)).seal(Codec.encode(List.of(new Message.Alive("m9", "127.0.0.1:23009", 99))));
      forged[forged.length - 20] ^= 1;
      s.send(new DatagramPacket(forged, forged.length, a.t().localAddress()));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> a.ml().keyring().forgedDrops() > forgedBefore);
    assertThat(a.ml().stats().rejected.get()).isPositive();
  }
}
