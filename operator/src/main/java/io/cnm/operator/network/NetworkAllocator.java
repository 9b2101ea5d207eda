package io.cnm.operator.network;

import io.cnm.operator.ipam.NetworkAllocation;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster-wide step of a global-scope remote network driver (libnetwork's
 * NetworkAllocate/NetworkFree, which Docker's swarm manager calls): the driver may reserve
 * something for the network (a VLAN, a VNI of its own) and answers options every node's
 * CreateNetwork then receives.
 */
public interface NetworkAllocator {
  /**
   * The driver's options for the network, or empty when the driver allocates nothing here (it is
   * local-scope, or not reachable from the operator).
   */
  Optional<Map<String, String>> allocate(String driver, String networkId, Map<String, String> options, NetworkAllocation allocation);

  /** Gives the network's allocation back to the driver. */
  void free(String driver, String networkId);

  NetworkAllocator NONE = new NetworkAllocator() {
    @Override
    public Optional<Map<String, String>> allocate(String driver, String networkId, Map<String, String> options, NetworkAllocation a) {
      return Optional.empty();
    }

    @Override
    public void free(String driver, String networkId) {}
  };
}
