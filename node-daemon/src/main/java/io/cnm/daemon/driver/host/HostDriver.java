package io.cnm.daemon.driver.host;

import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;

/**
 * Docker's host driver (seed: "Docker Host Network Driver"): the workload uses the node's own
 * network stack, so there is nothing to build, join or remove. An endpoint on a host network
 * only records that its sandbox shares the node's namespace.
 */
public final class HostDriver implements Driver {
  @Override
  public String name() {
    return "host";
  }

  @Override
  public boolean needsSandbox() {
    return false;
  }

  @Override
  public java.util.Set<String> nodeLinks(NetworkInfo network, EndpointInfo endpoint) {
    return java.util.Set.of();
  }

  @Override
  public void ensureNetwork(NetworkInfo network) {
    // The node's stack already exists.
  }

  @Override
  public void removeNetwork(NetworkInfo network) {
    // Nothing was built.
  }

  @Override
  public String join(NetworkInfo network, EndpointInfo endpoint) {
    return null;
  }

  @Override
  public void leave(NetworkInfo network, EndpointInfo endpoint) {
    // Nothing was built.
  }
}
