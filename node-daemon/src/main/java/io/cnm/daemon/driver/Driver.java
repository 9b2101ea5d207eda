package io.cnm.daemon.driver;

import java.util.Optional;
import java.util.Set;

/**
 * A network driver's node side (libnetwork's driverapi, for one node). Every method is idempotent
 * and checks before it acts, so the agent can call it again after a restart and adopt what a
 * previous run built instead of building it twice. The agent calls a driver only for differences:
 * a network that appeared or changed, an endpoint that appeared or changed, the peers of one
 * network; and everything once more on a periodic re-sync that repairs drift.
 */
public interface Driver {
  /** The driver name as written in CnmNetwork.spec.driver. */
  String name();

  /** Whether an endpoint of this driver needs a sandbox namespace (the host driver's does not). */
  default boolean needsSandbox() {
    return true;
  }

  /**
   * Why this node must not connect endpoints to the network at all (an option the driver cannot
   * honour, where connecting anyway would be worse than not connecting), or empty.
   */
  default Optional<Refusal> refusal(NetworkInfo network) {
    return Optional.empty();
  }

  /** A reason for an endpoint's Realized=False condition, and a message a user can act on. */
  record Refusal(String reason, String message) {}

  /** Builds, or adopts, the network's objects on this node (a bridge with its gateway address...). */
  void ensureNetwork(NetworkInfo network);

  /** Removes the network's objects from this node; called once no endpoint of it is left here. */
  void removeNetwork(NetworkInfo network);

  /**
   * Connects the endpoint's sandbox to the network, or confirms it is connected.
   *
   * @return the interface name inside the sandbox, or null when the driver creates none
   */
  String join(NetworkInfo network, EndpointInfo endpoint);

  /** Disconnects the endpoint; nothing to do when it is already gone. */
  void leave(NetworkInfo network, EndpointInfo endpoint);

  /**
   * The network's endpoints on other nodes changed (overlay: static FDB and neighbour entries).
   * Called with the whole current set for one network; the driver applies the difference.
   */
  default void setPeers(NetworkInfo network, Set<Peer> peers) {}

  /**
   * Finishes what the driver keeps outside the node's links and could not finish when asked (a
   * remote plugin's endpoints and networks to delete while the plugin was unreachable, or left by
   * a daemon that stopped): everything of it that no wanted network or endpoint names. Called on
   * every pass; cheap when there is nothing to do.
   *
   * @return false while something is still left to retry
   */
  default boolean sweep(Set<String> networkKeys, Set<String> endpointKeys) {
    return true;
  }

  /** The cluster's nodes, this one included, changed (libnetwork's node discovery); the whole current set. */
  default void setNodes(Set<NodeAddress> nodes) {}

  /**
   * The names of the node-side links this driver keeps for the network, and for the endpoint
   * when {@code endpoint} is not null. The agent removes every link it marked as its own that no
   * wanted network or endpoint names, and nothing else.
   */
  Set<String> nodeLinks(NetworkInfo network, EndpointInfo endpoint);

  /**
   * The node-side bridge on which the node routes the network's traffic, where the node's
   * firewall isolates networks and masquerades; empty when the node routes nothing for it (host,
   * null, internal overlays). An overlay answers with the node's gwbridge.
   */
  default Optional<RoutedNetwork> routed(NetworkInfo network) {
    return Optional.empty();
  }

  /**
   * Where the endpoint's published ports are forwarded to (the node-side bridge and the
   * endpoint's address behind it); empty when the driver publishes nothing.
   */
  default Optional<RoutedNetwork.Target> publishTarget(NetworkInfo network, EndpointInfo endpoint) {
    return Optional.empty();
  }
}
