package io.cnm.daemon.driver;

/**
 * A network driver's node side (libnetwork's driverapi, for one node). Every method is idempotent
 * and checks before it acts, so the agent can call it on every pass and after a restart adopts
 * what a previous run built instead of building it twice.
 */
public interface Driver {
  /** The driver name as written in CnmNetwork.spec.driver. */
  String name();

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
}
