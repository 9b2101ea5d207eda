package io.cnm.daemon.gossip;

import io.cnm.daemon.gossip.Message.MemberState;
import io.cnm.daemon.gossip.Message.NetworkEvent;
import io.cnm.daemon.gossip.Message.PushPull;
import io.cnm.daemon.gossip.Message.TableEvent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * Network-scoped tables on top of the membership, as Docker's networkdb. A node joins a network's
 * group only while it has a local endpoint on it; joins and leaves are cluster-wide events. Table
 * entries are keyed (network, table, key), owned by the node that wrote them and ordered by a
 * Lamport clock; a delete is a tombstone that wins over older writes and is reaped after
 * {@link GossipConfig#reapMillis()}. Table events are gossiped only to members of their network,
 * and each network is synced in full with one random member of it every push/pull interval,
 * which heals partitions. When a node is declared dead, or leaves a network, every other node
 * drops its entries of it by itself.
 *
 * <p>State lives on the membership's scheduler thread; readers get immutable snapshots.
 */
public final class NetworkDb implements Memberlist.Delegate {
  private static final Logger LOG = Logger.getLogger(NetworkDb.class);
  private final String self;
  private Memberlist ml;
  private Scheduler scheduler;
  private long tableClock;
  private long networkClock;
  private final Map<String, Map<String, NetworkEvent>> nodeNetworks = new HashMap<>();
  private final Set<String> mine = new HashSet<>();
  private final Set<String> synced = new HashSet<>();
  private final Map<String, Map<String, TableEvent>> entries = new HashMap<>();
  private final Map<String, Long> deletedAt = new HashMap<>();
  private final Map<String, Broadcasts> queues = new HashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, Map<String, Map<String, Entry>>> snapshot = Map.of();
  private volatile Set<String> syncedView = Set.of();

  /** A live entry as readers see it. */
  public record Entry(String owner, long ltime, byte[] value) {}

  /** @param clockStart where the Lamport clocks start: wall-clock milliseconds, so a restarted node starts above what it wrote before */
  public NetworkDb(String self, long clockStart) {
    this.self = self;
    this.tableClock = clockStart;
    this.networkClock = clockStart;
  }

  /** Binds to the membership and starts the network-scoped gossip, sync and reaping. */
  public void attach(Memberlist memberlist) {
    this.ml = memberlist;
    this.scheduler = memberlist.scheduler();
    GossipConfig cfg = memberlist.config();
    scheduler.execute(() -> {
      scheduler.repeat(cfg::gossipIntervalMillis, () -> always(this::gossip));
      scheduler.repeat(cfg::pushPullIntervalMillis, () -> always(() -> mine.forEach(this::sync)));
      scheduler.repeat(() -> Math.max(1000, cfg.reapMillis() / 4), () -> always(this::reap));
    });
  }

  private static boolean always(Runnable task) {
    task.run();
    return true;
  }

  /** Called (on the gossip thread) when a remote change arrived. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Joins a network's group (idempotent) and syncs its tables with a member of it. */
  public void joinNetwork(String network) {
    scheduler.execute(() -> {
      if (!mine.add(network)) {
        return;
      }
      NetworkEvent e = new NetworkEvent(self, network, ++networkClock, false);
      nodeNetworks.computeIfAbsent(self, k -> new HashMap<>()).put(network, e);
      ml.broadcast("net/" + self + "/" + network, e);
      sync(network);
    });
  }

  /** Leaves a network's group: the others drop this node's entries of it; it forgets the network's tables. */
  public void leaveNetwork(String network) {
    scheduler.execute(() -> {
      if (!mine.remove(network)) {
        return;
      }
      NetworkEvent e = new NetworkEvent(self, network, ++networkClock, true);
      nodeNetworks.computeIfAbsent(self, k -> new HashMap<>()).put(network, e);
      ml.broadcast("net/" + self + "/" + network, e);
      entries.remove(network);
      queues.remove(network);
      synced.remove(network);
      publish();
    });
  }

  /** Creates or updates this node's entry. */
  public void put(String network, String table, String key, byte[] value) {
    scheduler.execute(() -> write(network, table, key, value, false));
  }

  /** Deletes this node's entry (a tombstone). */
  public void delete(String network, String table, String key) {
    scheduler.execute(() -> write(network, table, key, new byte[0], true));
  }

  private void write(String network, String table, String key, byte[] value, boolean deleted) {
    if (!mine.contains(network)) {
      return;
    }
    TableEvent e = new TableEvent(network, table, key, self, ++tableClock, deleted, value);
    apply(e);
    queue(e);
  }

  /** Live entries of a table, by network then key (this node's own included). */
  public Map<String, Map<String, Entry>> table(String table) {
    Map<String, Map<String, Entry>> out = new HashMap<>();
    snapshot.forEach((net, tables) -> out.put(net, tables.getOrDefault(table, Map.of())));
    return out;
  }

  /** Whether the network's tables have been synced in full with a member since this node joined it. */
  public boolean synced(String network) {
    return syncedView.contains(network);
  }

  /** The networks each node is in, as this node knows it (tests). */
  public Map<String, Set<String>> nodeNetworks() {
    Map<String, Set<String>> out = new HashMap<>();
    nodeNetworks.forEach((n, m) -> m.forEach((net, e) -> {
      if (!e.leave()) {
        out.computeIfAbsent(n, k -> new HashSet<>()).add(net);
      }
    }));
    return out;
  }

  // ---- delegate

  @Override
  public void notify(Message m) {
    if (m instanceof NetworkEvent e) {
      if (applyNetwork(e)) {
        ml.broadcast("net/" + e.node() + "/" + e.network(), e);
        changed();
      }
    } else if (m instanceof TableEvent e) {
      if (mine.contains(e.network()) && apply(e)) {
        queue(e); // pass it on within the network, as memberlist re-gossips what is new
        changed();
      }
    }
  }

  @Override
  public PushPull state(String from, List<MemberState> members, List<String> peerNetworks) {
    List<NetworkEvent> nets = new ArrayList<>();
    nodeNetworks.values().forEach(m -> nets.addAll(m.values()));
    List<TableEvent> out = new ArrayList<>();
    if (peerNetworks != null) {
      for (String n : peerNetworks) {
        if (mine.contains(n)) {
          out.addAll(entries.getOrDefault(n, Map.of()).values());
        }
      }
    }
    return new PushPull(from, false, members, nets, List.copyOf(mine), out);
  }

  @Override
  public void merge(PushPull remote) {
    boolean any = false;
    for (NetworkEvent e : remote.nodeNetworks()) {
      any |= applyNetwork(e);
    }
    for (TableEvent e : remote.entries()) {
      if (mine.contains(e.network())) {
        any |= apply(e);
      }
    }
    if (any) {
      changed();
    }
  }

  @Override
  public void memberChanged(Member m) {
    if (m.state().gone() && !m.name().equals(self)) {
      boolean any = nodeNetworks.remove(m.name()) != null;
      for (Map<String, TableEvent> net : entries.values()) {
        any |= net.values().removeIf(e -> e.owner().equals(m.name()));
      }
      if (any) {
        LOG.debugf("%s: %s is %s: its network groups and entries dropped", self, m.name(), m.state());
        publish();
        changed();
      }
    } else if (!m.state().gone()) {
      // A member (back) alive: sync our networks with it soon, so it gets our entries without waiting.
      scheduler.schedule(50, () -> {
        Set<String> theirs = nodeNetworks().getOrDefault(m.name(), Set.of());
        mine.stream().filter(theirs::contains).forEach(n -> syncWith(n, m.name()));
      });
    }
  }

  // ---- applying

  private boolean applyNetwork(NetworkEvent e) {
    networkClock = Math.max(networkClock, e.ltime()) + 1;
    if (e.node().equals(self)) {
      // Others remember an older membership of ours (we restarted): assert the current one.
      NetworkEvent cur = nodeNetworks.getOrDefault(self, Map.of()).get(e.network());
      boolean member = mine.contains(e.network());
      if ((cur == null || e.ltime() >= cur.ltime()) && e.leave() == member) {
        NetworkEvent fix = new NetworkEvent(self, e.network(), ++networkClock, !member);
        nodeNetworks.computeIfAbsent(self, k -> new HashMap<>()).put(e.network(), fix);
        ml.broadcast("net/" + self + "/" + e.network(), fix);
      }
      return false;
    }
    if (!ml.isLive(e.node()) && !e.leave()) {
      return false; // a dead node's membership must not come back through someone's stale view
    }
    Map<String, NetworkEvent> m = nodeNetworks.computeIfAbsent(e.node(), k -> new HashMap<>());
    NetworkEvent cur = m.get(e.network());
    if (cur != null && cur.ltime() >= e.ltime()) {
      return false;
    }
    m.put(e.network(), e);
    if (e.leave()) {
      Map<String, TableEvent> net = entries.get(e.network());
      if (net != null && net.values().removeIf(t -> t.owner().equals(e.node()))) {
        LOG.debugf("%s: %s left network %s: its entries of it dropped", self, e.node(), e.network());
        publish();
      }
    }
    return true;
  }

  /** Applies a table event if it is newer than what is held; true when it changed something. */
  private boolean apply(TableEvent e) {
    tableClock = Math.max(tableClock, e.ltime()) + 1;
    if (!e.owner().equals(self) && !ml.isLive(e.owner())) {
      return false; // the owner is dead: its entries are gone everywhere and must not return
    }
    String k = e.table() + "\u0000" + e.key();
    Map<String, TableEvent> net = entries.computeIfAbsent(e.network(), x -> new HashMap<>());
    TableEvent cur = net.get(k);
    if (cur != null && (cur.ltime() > e.ltime() || (cur.ltime() == e.ltime() && cur.owner().compareTo(e.owner()) >= 0))) {
      return false;
    }
    net.put(k, e);
    if (e.deleted()) {
      deletedAt.put(e.network() + "\u0000" + k, scheduler.now());
    }
    publish();
    return true;
  }

  private void queue(TableEvent e) {
    queues.computeIfAbsent(e.network(), n -> new Broadcasts(() -> Timers.retransmitLimit(ml.config().retransmitMult(),
        members(n).size() + 1))).add(e.table() + "/" + e.key(), Codec.body(e));
  }

  /** Live members of a network's group, this node excluded. */
  private List<String> members(String network) {
    List<String> out = new ArrayList<>();
    nodeNetworks.forEach((node, nets) -> {
      NetworkEvent e = nets.get(network);
      if (e != null && !e.leave() && !node.equals(self) && ml.isLive(node)) {
        out.add(node);
      }
    });
    return out;
  }

  // ---- dissemination within a network

  /**
   * Each round, a network's pending events go in one packet to a few random members of it: taken
   * once per round and sent to all of them (as networkdb does), so a retransmit limit of r reaches
   * r × gossipNodes members, and an event reaches everyone with overwhelming probability.
   */
  private void gossip() {
    for (var q : queues.entrySet()) {
      if (q.getValue().size() == 0) {
        continue;
      }
      List<String> targets = members(q.getKey());
      if (targets.isEmpty()) {
        continue;
      }
      Collections.shuffle(targets, ml.random());
      List<byte[]> bodies = q.getValue().take(ml.config().packetBudget() - 3);
      for (String t : targets.subList(0, Math.min(ml.config().gossipNodes(), targets.size()))) {
        InetSocketAddress a = ml.addressOf(t);
        if (a != null) {
          ml.sendBodies(a, bodies);
        }
      }
    }
  }

  /** A full sync of one network's tables with a random member of it (both directions). */
  private void sync(String network) {
    List<String> members = members(network);
    if (members.isEmpty()) {
      markSynced(network); // alone in the network: nothing to learn
      return;
    }
    syncWith(network, members.get(ml.random().nextInt(members.size())));
  }

  private void syncWith(String network, String node) {
    InetSocketAddress a = ml.addressOf(node);
    if (a == null || !mine.contains(network)) {
      return;
    }
    List<TableEvent> out = new ArrayList<>(entries.getOrDefault(network, Map.of()).values());
    ml.exchange(a, new PushPull(self, false, List.of(), List.of(), List.of(network), out)).whenComplete((answer, err) -> {
      if (err == null) {
        scheduler.execute(() -> {
          merge(answer);
          markSynced(network);
        });
      }
    });
  }

  private void markSynced(String network) {
    if (mine.contains(network) && synced.add(network)) {
      syncedView = Set.copyOf(synced);
      changed();
    }
  }

  private void reap() {
    long now = scheduler.now();
    boolean any = false;
    for (var it = deletedAt.entrySet().iterator(); it.hasNext(); ) {
      var d = it.next();
      if (now - d.getValue() >= ml.config().reapMillis()) {
        String[] p = d.getKey().split("\u0000", 2);
        Map<String, TableEvent> net = entries.get(p[0]);
        if (net != null) {
          TableEvent e = net.get(p[1]);
          if (e != null && e.deleted()) {
            net.remove(p[1]);
            any = true;
          }
        }
        it.remove();
      }
    }
    if (any) {
      publish();
    }
  }

  /** Tombstones currently held (tests of reaping). */
  public int tombstones() {
    int n = 0;
    for (Map<String, TableEvent> net : entries.values()) {
      for (TableEvent e : net.values()) {
        n += e.deleted() ? 1 : 0;
      }
    }
    return n;
  }

  private void publish() {
    Map<String, Map<String, Map<String, Entry>>> out = new HashMap<>();
    entries.forEach((net, m) -> {
      Map<String, Map<String, Entry>> tables = new HashMap<>();
      m.values().forEach(e -> {
        if (!e.deleted()) {
          tables.computeIfAbsent(e.table(), t -> new HashMap<>()).put(e.key(), new Entry(e.owner(), e.ltime(), e.value()));
        }
      });
      out.put(net, tables);
    });
    snapshot = out;
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }
}
