package io.cnm.daemon.agent;

import io.cnm.daemon.gossip.NetworkDb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@link ClusterTables} over the gossip's {@link NetworkDb}: the endpoint and service-backend
 * tables' records in and out. It writes only differences: a record is put when its value
 * changed, deleted when it is no longer wanted, and records of this node that a previous run left
 * in the cluster are deleted.
 */
public final class GossipTables implements ClusterTables {
  private final NetworkDb db;
  private final String node;
  private final int session;
  private final Set<String> joined = new HashSet<>();
  /** table → "network/key" → value as last written. */
  private final Map<String, Map<String, byte[]>> written = new HashMap<>();
  /** table/network pairs already swept of a previous run's records. */
  private final Set<String> swept = new HashSet<>();

  public GossipTables(NetworkDb db, String node) {
    this(db, node, EndpointRecord.NO_SESSION);
  }

  /** @param session this daemon's ESP session, stamped on every endpoint record it publishes */
  public GossipTables(NetworkDb db, String node, int session) {
    this.db = db;
    this.node = node;
    this.session = session;
  }

  @Override
  public Map<String, List<EndpointRecord>> endpoints() {
    return read(EndpointRecord.TABLE, EndpointRecord::decode);
  }

  @Override
  public Map<String, List<ServiceBackendRecord>> serviceBackends() {
    return read(ServiceBackendRecord.TABLE, ServiceBackendRecord::decode);
  }

  private <T> Map<String, List<T>> read(String table, BiFunction<String, byte[], T> decode) {
    Map<String, List<T>> out = new HashMap<>();
    db.table(table).forEach((net, entries) -> {
      List<T> list = new ArrayList<>();
      entries.values().forEach(e -> {
        T r = decode.apply(net, e.value());
        if (r != null) {
          list.add(r);
        }
      });
      out.put(net, list);
    });
    return out;
  }

  @Override
  public synchronized void publish(Map<String, Map<String, EndpointRecord>> endpoints,
      Map<String, Map<String, ServiceBackendRecord>> backends) {
    Set<String> networks = new HashSet<>(endpoints.keySet());
    networks.addAll(backends.keySet());
    for (String net : networks) {
      if (joined.add(net)) {
        db.joinNetwork(net);
      }
    }
    for (var it = joined.iterator(); it.hasNext(); ) {
      String net = it.next();
      if (!networks.contains(net)) {
        db.leaveNetwork(net);
        written.values().forEach(m -> m.keySet().removeIf(k -> k.startsWith(net + "/")));
        swept.removeIf(k -> k.endsWith("/" + net));
        it.remove();
      }
    }
    sync(EndpointRecord.TABLE, endpoints, r -> r.withSession(session).encode());
    sync(ServiceBackendRecord.TABLE, backends, ServiceBackendRecord::encode);
  }

  private <T> void sync(String table, Map<String, Map<String, T>> mine, Function<T, byte[]> encode) {
    Map<String, byte[]> done = written.computeIfAbsent(table, t -> new HashMap<>());
    Set<String> wanted = new HashSet<>();
    mine.forEach((net, records) -> records.forEach((key, r) -> {
      String k = net + "/" + key;
      wanted.add(k);
      byte[] v = encode.apply(r);
      if (!Arrays.equals(done.get(k), v)) {
        db.put(net, table, key, v);
        done.put(k, v);
      }
    }));
    for (var it = done.keySet().iterator(); it.hasNext(); ) {
      String k = it.next();
      if (!wanted.contains(k)) {
        int slash = k.indexOf('/');
        db.delete(k.substring(0, slash), table, k.substring(slash + 1));
        it.remove();
      }
    }
    // Records of ours that a previous run of this daemon published and this one does not want: they
    // arrive with a network's first full sync (which triggers a pass), so each network is swept once, then.
    Map<String, Map<String, NetworkDb.Entry>> entries = null;
    for (String net : joined) {
      if (db.synced(net) && swept.add(table + "/" + net)) {
        entries = entries == null ? db.table(table) : entries;
        entries.getOrDefault(net, Map.of()).forEach((key, e) -> {
          if (e.owner().equals(node) && !wanted.contains(net + "/" + key)) {
            db.delete(net, table, key);
          }
        });
      }
    }
  }

  @Override
  public boolean synced(String networkId) {
    return db.synced(networkId);
  }

  @Override
  public void onChange(Runnable listener) {
    db.onChange(listener);
  }
}
