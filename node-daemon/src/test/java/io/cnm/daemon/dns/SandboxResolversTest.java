package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The per-sandbox DNS sockets on real namespaces this test creates ("web", "late", "early"): a
 * socket prepared ahead answers before the pass serves it, its resolv.conf comes only with the
 * pass, a waiting sandbox's socket is kept, any other is closed with its resolv.conf put back, a
 * sandbox that cannot be opened is reported and served once it can, and one prepared before its
 * namespace existed is opened again when served.
 */
@Tag("kernel")
class SandboxResolversTest {
  TestNamespaces ns;
  DnsServer server;
  SandboxResolvers resolvers;
  Path etcNetns;

  @BeforeEach
  void setUp() throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    etcNetns = Files.createTempDirectory("cnm-etc-netns");
  }

  @AfterEach
  void tearDown() {
    if (resolvers != null) {
      resolvers.close();
    }
    if (server != null) {
      server.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  private void start(String... sandboxPaths) {
    Map<String, Set<String>> sandboxes = new java.util.HashMap<>();
    for (String p : sandboxPaths) {
      sandboxes.put(p, Set.of("t/pets"));
    }
    DnsRecords records = new DnsRecords(sandboxes, Map.of("t/pets", Map.of("db", List.of(IpAddress.parse("10.20.0.2")))),
        Map.of("t/pets", "pets"));
    server = new DnsServer(() -> records, (n, t) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream")));
    resolvers = new SandboxResolvers(server, new NetnsResolvConf(etcNetns), 53);
  }

  private static List<String> db(NetNamespace sandbox, int timeoutMs) {
    DnsClient.Reply r = DnsClient.query(sandbox, DnsServer.ADDRESS, 53, "db", 1, timeoutMs);
    return r == null ? null : r.addresses();
  }

  private Path resolvConf(String name) {
    return etcNetns.resolve(ns.fullName(name)).resolve("resolv.conf");
  }

  @Test
  void aPreparedSocketAnswersBeforeItIsServed_itsResolvConfComesWithServing_andAWaitingOneIsKept() throws Exception {
    NetNamespace web = ns.create("web");
    String path = "/run/netns/" + ns.fullName("web");
    start(path);
    resolvers.prepare(path);
    await().atMost(Duration.ofSeconds(5)).until(() -> db(web, 300) != null);
    assertThat(db(web, 2000)).containsExactly("10.20.0.2");
    assertThat(resolvConf("web")).as("written only once the pass serves the sandbox").doesNotExist();

    assertThat(resolvers.serve(Set.of(), path::equals)).isEmpty();
    assertThat(db(web, 2000)).as("kept while its endpoint waits for the operator").containsExactly("10.20.0.2");

    assertThat(resolvers.serve(Set.of(path), p -> false)).isEmpty();
    assertThat(Files.readString(resolvConf("web"))).contains("nameserver 127.0.0.11");
    assertThat(resolvers.served()).containsExactly(path);

    assertThat(resolvers.serve(Set.of(), p -> false)).isEmpty();
    assertThat(db(web, 500)).as("closed once neither served nor waiting").isNull();
    assertThat(resolvConf("web")).doesNotExist();
    assertThat(resolvers.served()).isEmpty();
  }

  @Test
  void aSandboxThatCannotBeOpened_isReported_andServedOnceItCan() {
    String path = "/run/netns/" + ns.fullName("late");
    start(path);
    Map<String, Exception> failed = resolvers.serve(Set.of(path), p -> false);
    assertThat(failed).containsOnlyKeys(path);
    assertThat(resolvers.served()).isEmpty();

    NetNamespace late = ns.create("late");
    assertThat(resolvers.serve(Set.of(path), p -> false)).isEmpty();
    assertThat(db(late, 2000)).containsExactly("10.20.0.2");
    assertThat(resolvConf("late")).exists();
  }

  @Test
  void aSocketPreparedBeforeItsNamespaceExisted_isOpenedAgainWhenServed() throws Exception {
    String path = "/run/netns/" + ns.fullName("early");
    start(path);
    resolvers.prepare(path); // the endpoint is labelled before its namespace is there: this open fails
    Thread.sleep(500);
    NetNamespace early = ns.create("early");
    assertThat(resolvers.serve(Set.of(path), p -> false)).isEmpty();
    assertThat(db(early, 2000)).containsExactly("10.20.0.2");
  }
}
