package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The embedded DNS on real sockets: servers bound at 127.0.0.11:53 inside sandboxes "web" (on
 * front and back) and "lone" (on other), which this test creates. Unknown names are forwarded from
 * the node namespace "node" (198.18.0.1/24) to a test resolver in namespace "upstream"
 * (198.18.0.2:53, knows example.test); a dead upstream is 198.18.0.3, where nothing answers.
 * Addresses: front 10.0.1.0/24, back 10.0.2.0/24.
 */
@Tag("kernel")
class DnsKernelTest {
  TestNamespaces ns;
  NetNamespace node;
  NetNamespace upstreamNs;
  DnsServer upstreamServer;
  DnsServer server;
  UdpUpstream upstream;
  final DnsRecords records = new DnsRecords(Map.of("web", Set.of("ns/front", "ns/back"), "lone", Set.of("ns/other")),
      Map.of("ns/back", Map.of("db", List.of(IpAddress.parse("10.0.2.2"))), "ns/front", Map.of("web", List.of(IpAddress.parse("10.0.1.2")))),
      Map.of("ns/front", "front", "ns/back", "back"));

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    node = ns.create("node");
    upstreamNs = ns.create("upstream");
    try (Netlink nl = RouteNetlink.in(node)) {
      nl.addVeth("up0", "eth0", 0, upstreamNs, null);
      nl.addAddress("up0", Cidr.parse("198.18.0.1/24"));
      nl.setUp("up0", true);
    }
    try (Netlink nl = RouteNetlink.in(upstreamNs)) {
      nl.addAddress("eth0", Cidr.parse("198.18.0.2/24"));
      nl.setUp("eth0", true);
    }
    DnsRecords known = new DnsRecords(Map.of("up", Set.of("u")), Map.of("u", Map.of("example.test", List.of(IpAddress.parse("192.0.2.10")))),
        Map.of());
    upstreamServer = new DnsServer(() -> known, (n, t) -> CompletableFuture.failedFuture(new IllegalStateException("none")));
    upstreamServer.serve(upstreamNs, "up", "198.18.0.2", 53);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (upstreamServer != null) {
      upstreamServer.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void namesResolveInsideTheSandbox_scopedToItsNetworks_andTheRestIsForwardedFromTheNode() {
    upstream = new UdpUpstream(List.of(new InetSocketAddress("198.18.0.2", 53)), 1000, node);
    server = new DnsServer(() -> records, upstream);
    NetNamespace web = ns.create("web");
    NetNamespace lone = ns.create("lone");
    server.serve(web, "web", 53);
    server.serve(lone, "lone", 53);
    assertThat(DnsClient.query(web, "127.0.0.11", 53, "db", 1, 2000)).isEqualTo(new DnsClient.Reply("NoError", List.of("10.0.2.2")));
    assertThat(DnsClient.query(web, "127.0.0.11", 53, "web.front", 1, 2000).addresses()).containsExactly("10.0.1.2");
    // Upstream forwarding: an unknown name is answered by the node's resolver.
    assertThat(DnsClient.query(web, "127.0.0.11", 53, "example.test", 1, 3000).addresses()).containsExactly("192.0.2.10");
    // Scoping: "lone" is on no network with db; its query goes upstream, which does not know db.
    DnsClient.Reply fromLone = DnsClient.query(lone, "127.0.0.11", 53, "db", 1, 3000);
    assertThat(fromLone.addresses()).isEmpty();
  }

  @Test
  void localAnswers_echoTheQuestionAsSpelledAndTheId_rotate_andFollowTheRecords() {
    java.util.concurrent.atomic.AtomicReference<DnsRecords> now = new java.util.concurrent.atomic.AtomicReference<>(new DnsRecords(
        Map.of("web", Set.of("ns/back")), Map.of("ns/back", Map.of("db", List.of(IpAddress.parse("10.0.2.2"), IpAddress.parse("10.0.2.3")))),
        Map.of("ns/back", "back")));
    server = new DnsServer(now::get, (n, t) -> CompletableFuture.failedFuture(new IllegalStateException("none")));
    NetNamespace web = ns.create("web");
    server.serve(web, "web", 53);
    // 0x20 mixed case, as some resolvers send it to foil spoofing: the reply must carry the question exactly as asked.
    byte[] q = RawDns.query(777, "db.back", 1);
    q[13] = 'D';
    q[17] = 'A';
    List<String> firsts = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      byte[] r = DnsClient.exchange(web, "127.0.0.11", 53, q, 2000);
      assertThat(java.util.Arrays.copyOfRange(r, 12, q.length)).isEqualTo(java.util.Arrays.copyOfRange(q, 12, q.length));
      DnsClient.Reply reply = DnsClient.parse(r, 777);
      assertThat(reply.rcode()).isEqualTo("NoError");
      assertThat(reply.addresses()).containsExactlyInAnyOrder("10.0.2.2", "10.0.2.3");
      firsts.add(reply.addresses().get(0));
    }
    assertThat(firsts).as("multi-address answers rotate").doesNotHaveDuplicates();
    assertThat(DnsClient.query(web, "127.0.0.11", 53, "db", 28, 2000)).isEqualTo(new DnsClient.Reply("NoError", List.of()));
    now.set(new DnsRecords(Map.of("web", Set.of("ns/back")), Map.of("ns/back", Map.of("db", List.of(IpAddress.parse("10.0.2.9")))),
        Map.of("ns/back", "back")));
    assertThat(DnsClient.query(web, "127.0.0.11", 53, "db", 1, 2000).addresses()).containsExactly("10.0.2.9");
  }

  @Test
  void deadUpstream_answersServfailInsteadOfHanging() {
    upstream = new UdpUpstream(List.of(new InetSocketAddress("198.18.0.3", 53)), 500, node);
    server = new DnsServer(() -> records, upstream);
    NetNamespace web = ns.create("web");
    server.serve(web, "web", 53);
    long start = System.nanoTime();
    DnsClient.Reply r = DnsClient.query(web, "127.0.0.11", 53, "nowhere.test", 1, 3000);
    assertThat(r).isNotNull();
    assertThat(r.rcode()).isEqualTo("ServFail");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
  }
}
