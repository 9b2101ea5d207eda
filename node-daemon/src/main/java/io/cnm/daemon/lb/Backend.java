package io.cnm.daemon.lb;

import io.cnm.api.net.IpAddress;

/**
 * Where a connection to a {@link Frontend} may go.
 *
 * @param weight how many slots it takes (a backend of weight 2 gets twice the connections of weight 1)
 */
public record Backend(IpAddress address, int port, int weight) implements Comparable<Backend> {
  public Backend {
    if (weight < 1) {
      throw new IllegalArgumentException("a backend takes at least one slot");
    }
  }

  @Override
  public int compareTo(Backend o) {
    int c = address.compareTo(o.address);
    return c != 0 ? c : Integer.compare(port, o.port);
  }
}
