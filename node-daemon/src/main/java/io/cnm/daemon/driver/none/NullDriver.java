package io.cnm.daemon.driver.none;

import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.Set;

/**
 * Docker's null driver (seed: "None (Isolated) Network Driver"): the sandbox keeps its own stack
 * with loopback only. Joining brings {@code lo} up and adds no interface.
 */
public final class NullDriver implements Driver {
  private final Sandboxes sandboxes;

  public NullDriver(Sandboxes sandboxes) {
    this.sandboxes = sandboxes;
  }

  @Override
  public String name() {
    return "null";
  }

  @Override
  public void ensureNetwork(NetworkInfo network) {
    // Nothing on the node.
  }

  @Override
  public void removeNetwork(NetworkInfo network) {
    // Nothing on the node.
  }

  @Override
  public String join(NetworkInfo network, EndpointInfo endpoint) {
    sandboxes.loopbackUp(endpoint.netnsPath());
    return null;
  }

  @Override
  public void leave(NetworkInfo network, EndpointInfo endpoint) {
    // Loopback stays.
  }

  @Override
  public Set<String> nodeLinks(NetworkInfo network, EndpointInfo endpoint) {
    return Set.of();
  }
}
