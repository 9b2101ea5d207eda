package io.cnm.daemon.agent;

import java.util.List;
import java.util.Map;

/**
 * The agent's view of the gossip: the records other nodes publish (endpoints, service backends),
 * and the records this node publishes. Only networks this node has a local endpoint on are
 * joined, so only their records arrive (networkdb's network-scoped groups).
 */
public interface ClusterTables {
  /** The current endpoint records, by network ID. */
  Map<String, List<EndpointRecord>> endpoints();

  /** The current service-backend records, by network ID. */
  default Map<String, List<ServiceBackendRecord>> serviceBackends() {
    return Map.of();
  }

  /**
   * This node's records, by network ID then table key: the whole current set. The
   * implementation publishes what is new or changed, deletes (tombstones) what is gone, joins the
   * networks that appear and leaves those that no longer have a local endpoint.
   */
  void publish(Map<String, Map<String, EndpointRecord>> endpoints, Map<String, Map<String, ServiceBackendRecord>> backends);

  /**
   * Whether the network's records have been synced in full since this node joined it. Until
   * then the agent leaves the network's peers as the kernel has them (a restarted daemon must not
   * remove overlay entries only because its tables are still empty).
   */
  default boolean synced(String networkId) {
    return true;
  }

  /** The live members of the cluster, this node included: name to underlay address. */
  default Map<String, io.cnm.api.net.IpAddress> nodes() {
    return Map.of();
  }

  /**
   * The cluster keyring (the operator's Secret), primary first: encrypted overlays derive their
   * ESP keys from it. Empty until it is known.
   */
  default List<byte[]> keys() {
    return List.of();
  }

  /** Called (on any thread) when a record of another node changed. */
  void onChange(Runnable listener);

  /** No cluster: a single node, nothing gossiped. */
  ClusterTables NONE = new ClusterTables() {
    @Override
    public Map<String, List<EndpointRecord>> endpoints() {
      return Map.of();
    }

    @Override
    public void publish(Map<String, Map<String, EndpointRecord>> endpoints, Map<String, Map<String, ServiceBackendRecord>> backends) {}

    @Override
    public void onChange(Runnable listener) {}
  };
}
