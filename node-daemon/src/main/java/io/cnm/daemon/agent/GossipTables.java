package io.cnm.daemon.agent;

import io.cnm.daemon.gossip.NetworkDb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ClusterTables} over the gossip's {@link NetworkDb}: the endpoint table's records in and
 * out. It writes only differences: a record is put when its value changed, deleted when it is no
 * longer wanted, and records of this node that a previous run left in the cluster are deleted.
 */
public final class GossipTables implements ClusterTables {
  private final NetworkDb db;
  private final String node;
  private final Set<String> joined = new HashSet<>();
  private final Map<String, byte[]> written = new HashMap<>();
  private final Set<String> staleDeleted = new HashSet<>();

  public GossipTables(NetworkDb db, String node) {
    this.db = db;
    this.node = node;
  }

  @Override
  public Map<String, List<EndpointRecord>> endpoints() {
    Map<String, List<EndpointRecord>> out = new HashMap<>();
    db.table(EndpointRecord.TABLE).forEach((net, entries) -> {
      List<EndpointRecord> list = new ArrayList<>();
      entries.values().forEach(e -> {
        EndpointRecord r = EndpointRecord.decode(net, e.value());
        if (r != null) {
          list.add(r);
        }
      });
      out.put(net, list);
    });
    return out;
  }

  @Override
  public synchronized void publish(Map<String, Map<String, EndpointRecord>> mine) {
    for (String net : mine.keySet()) {
      if (joined.add(net)) {
        db.joinNetwork(net);
      }
    }
    for (var it = joined.iterator(); it.hasNext(); ) {
      String net = it.next();
      if (!mine.containsKey(net)) {
        db.leaveNetwork(net);
        written.keySet().removeIf(k -> k.startsWith(net + "/"));
        it.remove();
      }
    }
    Set<String> wanted = new HashSet<>();
    mine.forEach((net, records) -> records.forEach((key, r) -> {
      String k = net + "/" + key;
      wanted.add(k);
      byte[] v = r.encode();
      if (!Arrays.equals(written.get(k), v)) {
        db.put(net, EndpointRecord.TABLE, key, v);
        written.put(k, v);
      }
    }));
    for (var it = written.keySet().iterator(); it.hasNext(); ) {
      String k = it.next();
      if (!wanted.contains(k)) {
        int slash = k.indexOf('/');
        db.delete(k.substring(0, slash), EndpointRecord.TABLE, k.substring(slash + 1));
        it.remove();
      }
    }
    // Records of ours that a previous run of this daemon published and this one does not want.
    db.table(EndpointRecord.TABLE).forEach((net, entries) -> entries.forEach((key, e) -> {
      String k = net + "/" + key;
      if (e.owner().equals(node) && joined.contains(net) && !wanted.contains(k) && staleDeleted.add(k)) {
        db.delete(net, EndpointRecord.TABLE, key);
      }
    }));
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
