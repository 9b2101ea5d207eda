package io.cnm.daemon.lb;

import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.NftContext;
import io.cnm.daemon.nft.Nftables;
import io.cnm.daemon.netlink.NfTables;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Keeps every sandbox's load-balancer table as wanted: one nftables context per sandbox kept open,
 * the whole table written once (a new sandbox, a re-sync, after a failure), differences after
 * that. Not thread-safe: the agent's single loop owns it.
 */
public final class SandboxBalancers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SandboxBalancers.class);

  private final Function<String, Nftables> open;
  private final Predicate<String> hasTable;
  private final Map<String, Nftables> contexts = new HashMap<>();
  private final Map<String, Balancer> applied = new HashMap<>();
  /** Sandboxes without services found without a table of ours: nothing of a previous life to remove there. */
  private final Set<String> clean = new HashSet<>();

  /**
   * @param open a handle on the table of the sandbox at a namespace path
   * @param hasTable whether the sandbox at a namespace path has the table at all
   */
  public SandboxBalancers(Function<String, Nftables> open, Predicate<String> hasTable) {
    this.open = open;
    this.hasTable = hasTable;
  }

  /**
   * Through libnftables where it is installed and the process has descriptors to spare, else
   * (slower, a process per change) the nft tool; whether a table is there, over netlink.
   */
  public static SandboxBalancers kernel() {
    return new SandboxBalancers(SandboxBalancers::openKernel, path -> {
      try (NetNamespace ns = NetNamespace.open(path)) {
        return NfTables.hasTable(ns, NfTables.INET, BalancerRuleset.TABLE);
      }
    });
  }

  private static Nftables openKernel(String path) {
    // libnftables waits on its socket with select(), which aborts the process for a descriptor past
    // FD_SETSIZE (1024): where the process already holds nearly that many, the nft tool serves instead.
    if (!NftContext.available() || NftContext.openDescriptors() >= NftContext.SELECT_LIMIT) {
      return new NftCommand(path);
    }
    try (NetNamespace ns = NetNamespace.open(path)) {
      return NftContext.open(ns);
    }
  }

  /**
   * Brings each sandbox's table to its wanted balancer; a sandbox not named any more loses its
   * table. A sandbox that fails is reported in the result and written whole next time.
   *
   * @param full write every table whole (re-sync)
   * @return failures by sandbox path
   */
  public Map<String, String> apply(Map<String, Balancer> wanted, boolean full) {
    Map<String, String> failed = new HashMap<>();
    wanted.forEach((path, b) -> {
      Balancer had = applied.get(path);
      boolean empty = b.services().isEmpty();
      if (empty && (had == null ? !full || clean.contains(path) : had.services().isEmpty())) {
        return; // nothing there, nothing wanted
      }
      clean.remove(path); // something is written now, or looked at again
      try {
        if (empty && had == null) {
          // A re-sync of a sandbox without services: only a previous life's table can be there; removed once. Asked
          // first: the transaction that removes it costs a commit (13 ms) even where it is not, which made the first
          // re-sync after a burst of new sandboxes hold the node's pass for seconds (500: 6.8 s).
          if (!hasTable.test(path)) {
            clean.add(path);
            return;
          }
          try (Nftables once = open.apply(path)) {
            once.apply(BalancerRuleset.full(b));
          }
        } else {
          Nftables nft = contexts.computeIfAbsent(path, open);
          String tx = had == null || full ? BalancerRuleset.full(b) : BalancerRuleset.delta(had, b);
          if (!tx.isEmpty()) {
            nft.apply(tx);
          }
        }
        applied.put(path, b);
        if (empty) {
          // Contexts are kept only where services are: each holds a socket, and the process's descriptors are finite.
          close(path);
        }
      } catch (RuntimeException e) {
        applied.remove(path);
        close(path);
        failed.put(path, e.getMessage());
      }
    });
    for (Iterator<Map.Entry<String, Nftables>> it = contexts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Nftables> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        try {
          e.getValue().apply("table inet " + BalancerRuleset.TABLE + "\ndelete table inet " + BalancerRuleset.TABLE + "\n");
        } catch (RuntimeException ex) {
          LOG.debugf("balancer of %s not removed (sandbox gone?): %s", e.getKey(), ex.getMessage());
        }
        e.getValue().close();
        it.remove();
      }
    }
    applied.keySet().retainAll(wanted.keySet());
    clean.retainAll(wanted.keySet());
    return failed;
  }

  private void close(String path) {
    Nftables nft = contexts.remove(path);
    if (nft != null) {
      nft.close();
    }
  }

  /** What was last written to a sandbox; {@link Balancer#EMPTY} where nothing was. */
  public Balancer applied(String path) {
    return applied.getOrDefault(path, Balancer.EMPTY);
  }

  @Override
  public void close() {
    contexts.values().forEach(Nftables::close);
    contexts.clear();
    applied.clear();
    clean.clear();
  }
}
