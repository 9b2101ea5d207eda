package io.cnm.daemon.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.NfTables;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftContext;
import io.cnm.daemon.nft.Nftables;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sandboxes' balancer tables on a re-sync, on the real kernel: a sandbox without services is
 * asked over netlink whether a table of a previous life is there, and written only where one is
 * (each such write is a commit, about 13 ms, which a re-sync over hundreds of new sandboxes paid
 * for every one of them).
 */
@Tag("kernel")
class SandboxBalancersTest {
  static final IpAddress VIP = IpAddress.parse("10.20.0.100");
  static final Balancer WEB = Balancer.of(Map.of(new Frontend(VIP, "tcp", 80, false),
      List.of(new Backend(IpAddress.parse("10.20.0.2"), 8080, 1))));

  TestNamespaces ns;
  String fresh;
  String stale;
  final Map<String, Integer> writes = new HashMap<>();
  final Map<String, Integer> asked = new HashMap<>();

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
    fresh = ns.create("lbfresh").path();
    stale = ns.create("lbstale").path();
    // A previous life's table in one sandbox: a service's VIP that no longer exists.
    try (NetNamespace n = NetNamespace.open(stale); NftContext old = NftContext.open(n)) {
      old.apply(BalancerRuleset.full(WEB));
    }
  }

  @AfterEach
  void tearDown() {
    if (ns != null) {
      ns.close();
    }
  }

  /** The kernel's own functions, counting the writes and the questions per sandbox. */
  SandboxBalancers counted() {
    return new SandboxBalancers(path -> {
      NftContext ctx;
      try (NetNamespace n = NetNamespace.open(path)) {
        ctx = NftContext.open(n);
      }
      return new Nftables() {
        @Override
        public void apply(String transaction) {
          writes.merge(path, 1, Integer::sum);
          ctx.apply(transaction);
        }

        @Override
        public String listTable(String table) {
          return ctx.listTable(table);
        }

        @Override
        public void close() {
          ctx.close();
        }
      };
    }, path -> {
      asked.merge(path, 1, Integer::sum);
      try (NetNamespace n = NetNamespace.open(path)) {
        return NfTables.hasTable(n, NfTables.INET, BalancerRuleset.TABLE);
      }
    });
  }

  static String table(String path) {
    try (NetNamespace n = NetNamespace.open(path); NftContext ctx = NftContext.open(n)) {
      return ctx.listTable(BalancerRuleset.TABLE);
    }
  }

  @Test
  void aResync_writesOnlyWhereAPreviousLifesTableIs_andAsksEachSandboxOnce() {
    assertThat(table(stale)).contains("10.20.0.100");
    try (SandboxBalancers b = counted()) {
      assertThat(b.apply(Map.of(fresh, Balancer.EMPTY, stale, Balancer.EMPTY), true)).isEmpty();
      assertThat(writes).containsExactly(Map.entry(stale, 1)); // not a single write where no table was
      assertThat(table(stale)).doesNotContain("10.20.0.100");
      assertThat(table(fresh)).isEmpty();
      // The next re-sync neither asks nor writes again.
      assertThat(b.apply(Map.of(fresh, Balancer.EMPTY, stale, Balancer.EMPTY), true)).isEmpty();
      assertThat(asked).isEqualTo(Map.of(fresh, 1, stale, 1));
      assertThat(writes).containsExactly(Map.entry(stale, 1));
      // A service in the sandbox that had no table: its table is written whole, and balances.
      assertThat(b.apply(Map.of(fresh, WEB, stale, Balancer.EMPTY), false)).isEmpty();
      assertThat(table(fresh)).contains("10.20.0.100").contains("10.20.0.2");
      // And gone again: the table stays, emptied.
      assertThat(b.apply(Map.of(fresh, Balancer.EMPTY, stale, Balancer.EMPTY), true)).isEmpty();
      assertThat(table(fresh)).doesNotContain("10.20.0.100");
    }
  }

  @Test
  void hasTable_answersForTheNamespaceAsked() {
    try (NetNamespace a = NetNamespace.open(fresh); NetNamespace b = NetNamespace.open(stale)) {
      assertThat(NfTables.hasTable(a, NfTables.INET, BalancerRuleset.TABLE)).isFalse();
      assertThat(NfTables.hasTable(b, NfTables.INET, BalancerRuleset.TABLE)).isTrue();
      assertThat(NfTables.hasTable(b, NfTables.INET, "cnm_nothing")).isFalse();
    }
  }
}
