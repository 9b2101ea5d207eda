package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.metrics.DaemonMetrics;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fast path on an embedded channel: what it answers, and what it passes on to the full
 * decoder. Its answers on real sockets are in DnsKernelTest and DnsTransportKernelTest.
 */
class FastPathTest {
  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
  static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.11", 53);
  final EncodedAnswers answers = new EncodedAnswers(new DnsRecords(Map.of("sb", Set.of("n1")),
      Map.of("n1", Map.of("db", List.of(IpAddress.parse("10.0.2.2")), "web", List.of(IpAddress.parse("10.0.1.2")))), Map.of("n1", "back")));
  final EmbeddedChannel ch = new EmbeddedChannel(new FastPath("sb", () -> answers, DaemonMetrics.none()));

  DatagramPacket query(byte[] q) {
    return new DatagramPacket(Unpooled.wrappedBuffer(q), SERVER, CLIENT);
  }

  List<String> answered(byte[] q) {
    ch.writeInbound(query(q));
    DatagramPacket reply = ch.readOutbound();
    assertThat(reply).as("answered on the fast path").isNotNull();
    try {
      return DnsClient.parse(ByteBufUtil.getBytes(reply.content()), (q[0] & 0xFF) << 8 | q[1] & 0xFF).addresses();
    } finally {
      reply.release();
    }
  }

  @Test
  void namesInAnyCase_areAnsweredFromTheirEncodedAnswers_oneLookupKeyFilledAgainForEachQuery() {
    byte[] mixed = RawDns.query(7, "db.back", 1); // RawDns writes lower case: made "DB.Back" by hand, as 0x20 resolvers send it
    mixed[13] = 'D';
    mixed[14] = 'B';
    mixed[16] = 'B';
    for (int i = 0; i < 3; i++) {
      assertThat(answered(RawDns.query(1 + i, "db", 1))).containsExactly("10.0.2.2");
      assertThat(answered(RawDns.query(2 + i, "web.back", 1))).containsExactly("10.0.1.2");
      assertThat(answered(mixed)).containsExactly("10.0.2.2");
      assertThat(answered(RawDns.query(3 + i, "db.back", 1))).containsExactly("10.0.2.2");
    }
    assertThat(answers.size()).as("one answer kept per name, whatever its case").isEqualTo(3);
  }

  @Test
  void twoChannelsOfASandbox_shareItsAnswers_eachWithItsOwnLookupKey() {
    EmbeddedChannel other = new EmbeddedChannel(new FastPath("sb", () -> answers, DaemonMetrics.none()));
    for (int i = 0; i < 3; i++) {
      for (EmbeddedChannel c : List.of(ch, other)) {
        for (String name : List.of("db", "web.back", "DB.back")) {
          c.writeInbound(query(RawDns.query(i, name, 1)));
          DatagramPacket reply = c.readOutbound();
          assertThat(reply).isNotNull();
          reply.release();
        }
      }
    }
    // Kept keys are copies, not a channel's probe (filled again for its next query, it would match nothing).
    assertThat(answers.size()).isEqualTo(3);
    assertThat(answers.get(EncodedAnswers.NameKey.of("sb", "web.back", 1)).count()).isEqualTo(1);
    other.finishAndReleaseAll();
  }

  @Test
  void aNameTooLongForTheKey_orNotLocal_goesOnToTheFullDecoder() {
    String label = "a".repeat(63);
    byte[] longest = RawDns.query(9, String.join(".", label, label, label, label, label), 1); // 5 × 63: past the key's 255 bytes
    ch.writeInbound(query(longest));
    assertThat((Object) ch.readOutbound()).isNull();
    DatagramPacket passed = ch.readInbound();
    assertThat(passed).isNotNull();
    passed.release();
    ch.writeInbound(query(RawDns.query(10, "example.test", 1)));
    assertThat((Object) ch.readOutbound()).isNull();
    passed = ch.readInbound();
    assertThat(passed).isNotNull();
    passed.release();
    ch.checkException();
  }
}
