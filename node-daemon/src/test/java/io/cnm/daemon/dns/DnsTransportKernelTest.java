package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded DNS's transports on real sockets in namespaces of this test's own: a burst of
 * queries sent without waiting (epoll reads them in batches and sends the replies of a batch
 * together) is answered in full on both; with several event loops each sandbox has a socket on
 * each, sharing the address (SO_REUSEPORT), and with one nothing else can bind beside it.
 */
@Tag("kernel")
class DnsTransportKernelTest {
  static final int BURST = 200;
  final DnsRecords records = new DnsRecords(Map.of("web", Set.of("ns/back")),
      Map.of("ns/back", Map.of("db", List.of(IpAddress.parse("10.0.2.2")), "cache", List.of(IpAddress.parse("10.0.2.3")))),
      Map.of("ns/back", "back"));
  TestNamespaces ns;
  DnsServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  /** A server of local names only (no upstream) on {@code loops} loops of {@code transport}. */
  private DnsServer newServer(DnsTransport transport, int loops) {
    return new DnsServer(() -> records, (n, t) -> CompletableFuture.failedFuture(new IllegalStateException("none")),
        io.cnm.daemon.metrics.DaemonMetrics.none(), transport, loops);
  }

  private static void assumeCanRun(DnsTransport transport) {
    TestNamespaces.assumeKernelTestsCanRun();
    Assumptions.assumeTrue(transport != DnsTransport.EPOLL || Epoll.isAvailable(), () -> "epoll does not load: " + DnsTransport.whyNotEpoll());
  }

  /** A sandbox "web" served on one loop of {@code transport} (skipped where epoll does not load). */
  private NetNamespace servedSandbox(DnsTransport transport) {
    assumeCanRun(transport);
    ns = new TestNamespaces();
    NetNamespace web = ns.create("web");
    server = newServer(transport, 1);
    server.serve(web, "web", 53);
    return web;
  }

  @Test
  void epollLoadsOnLinux_theDaemonsTransport() {
    Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux") && List.of("amd64", "aarch64").contains(System.getProperty("os.arch")),
        "the native epoll library is shipped for Linux on x86_64 and aarch64 only");
    assertThat(DnsTransport.whyNotEpoll()).isNull();
    assertThat(DnsTransport.best()).isEqualTo(DnsTransport.EPOLL);
  }

  @ParameterizedTest
  @EnumSource(DnsTransport.class)
  void aBurstOfQueriesSentWithoutWaiting_isAnsweredInFull_eachReplyToItsQuery(DnsTransport transport) throws Exception {
    NetNamespace web = servedSandbox(transport);

    Map<Integer, List<String>> replies = web.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setReceiveBufferSize(1 << 20);
        s.setSoTimeout(3000);
        InetSocketAddress to = new InetSocketAddress(DnsServer.ADDRESS, 53);
        for (int id = 1; id <= BURST; id++) { // odd ids ask for cache.back, even ones for db: each reply must answer its own query
          byte[] q = RawDns.query(id, id % 2 == 0 ? "db" : "cache.back", 1);
          s.send(new DatagramPacket(q, q.length, to));
        }
        Map<Integer, List<String>> got = new HashMap<>();
        byte[] buf = new byte[4096];
        try {
          while (got.size() < BURST) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            byte[] m = java.util.Arrays.copyOf(buf, p.getLength());
            int id = ((m[0] & 0xff) << 8) | (m[1] & 0xff);
            got.put(id, DnsClient.parse(m, id).addresses());
          }
        } catch (java.net.SocketTimeoutException e) {
          // reported by the assertion below, with how many came
        }
        return got;
      }
    });
    assertThat(replies).as("replies to %d queries sent at once", BURST).hasSize(BURST);
    for (var e : replies.entrySet()) {
      assertThat(e.getValue()).as("reply %d", e.getKey()).containsExactly(e.getKey() % 2 == 0 ? "10.0.2.2" : "10.0.2.3");
    }
  }

  @ParameterizedTest
  @EnumSource(DnsTransport.class)
  void aQueryLongerThanABatchSlot_isStillAnsweredFromItsQuestion(DnsTransport transport) {
    NetNamespace web = servedSandbox(transport);
    // An OPT record with 1,400 bytes of EDNS padding (option 12): the datagram is longer than epoll's 1,232-byte slot.
    byte[] q = RawDns.query(4242, "db", 1);
    q[11] = 1; // ARCOUNT
    int pad = 1400;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(q.length + 11 + 4 + pad).put(q);
    b.put((byte) 0).putShort((short) 41).putShort((short) 1232).putInt(0).putShort((short) (4 + pad)); // root, OPT, size, ttl, rdlen
    b.putShort((short) 12).putShort((short) pad).put(new byte[pad]);
    byte[] reply = DnsClient.exchange(web, DnsServer.ADDRESS, 53, b.array(), 2000);
    assertThat(reply).as("a reply to a %d-byte query", b.capacity()).isNotNull();
    assertThat(DnsClient.parse(reply, 4242)).isEqualTo(new DnsClient.Reply("NoError", List.of("10.0.2.2")));
  }

  @ParameterizedTest
  @EnumSource(DnsTransport.class)
  void withTwoLoops_eachSandboxHasASocketOnEach_sharingTheAddress_andAllItsClientsAreAnswered(DnsTransport transport) throws Exception {
    assumeCanRun(transport);
    ns = new TestNamespaces();
    server = newServer(transport, 2);
    List<NetNamespace> sandboxes = new ArrayList<>();
    List<DnsSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      NetNamespace sb = ns.create("web" + i);
      sandboxes.add(sb);
      sockets.add(server.serve(sb, "web", 53)); // the second channel's bind fails without SO_REUSEPORT
    }
    for (DnsSocket s : sockets) {
      assertThat(s.channels()).hasSize(2);
      assertThat(s.channels().stream().map(Channel::eventLoop).distinct()).as("event loops of one sandbox's socket").hasSize(2);
    }
    for (NetNamespace sb : sandboxes) {
      assertThat(answeredFromFreshPorts(sb, 32)).as("clients on 32 source ports answered").isEqualTo(32);
    }
  }

  @Test
  void withOneLoop_nothingElseInTheSandboxCanBindTheAddressBesideIt() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    server = newServer(DnsTransport.best(), 1);
    NetNamespace web = ns.create("web");
    assertThat(server.serve(web, "web", 53).channels()).hasSize(1);
    // Not even a socket that asks for SO_REUSEPORT itself, as the daemon's would with several loops.
    assertThatThrownBy(() -> web.run(() -> {
      try (java.nio.channels.DatagramChannel other = java.nio.channels.DatagramChannel.open()) {
        other.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
        other.bind(new InetSocketAddress(DnsServer.ADDRESS, 53));
      }
      return null;
    })).hasRootCauseInstanceOf(java.net.BindException.class);
  }

  /** How many of {@code clients} queries, each from a socket (a source port) of its own, are answered. */
  private static int answeredFromFreshPorts(NetNamespace sandbox, int clients) {
    int answered = 0;
    for (int i = 0; i < clients; i++) {
      DnsClient.Reply r = DnsClient.query(sandbox, DnsServer.ADDRESS, 53, "db", 1, 2000);
      if (r != null && r.addresses().equals(List.of("10.0.2.2"))) {
        answered++;
      }
    }
    return answered;
  }

  @Test
  void noEventLoop_isRefused() {
    assertThatThrownBy(() -> newServer(DnsTransport.NIO, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one event loop");
  }
}
