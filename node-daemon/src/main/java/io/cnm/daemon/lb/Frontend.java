package io.cnm.daemon.lb;

import io.cnm.api.net.IpAddress;

/**
 * Where a client sends: a service's VIP, protocol and port.
 *
 * @param protocol tcp, udp or sctp
 * @param sticky ClientIP affinity: a client always lands on the same backend while the backends stay
 */
public record Frontend(IpAddress vip, String protocol, int port, boolean sticky) implements Comparable<Frontend> {
  @Override
  public int compareTo(Frontend o) {
    int c = vip.compareTo(o.vip);
    if (c == 0) {
      c = protocol.compareTo(o.protocol);
    }
    if (c == 0) {
      c = Integer.compare(port, o.port);
    }
    return c != 0 ? c : Boolean.compare(sticky, o.sticky);
  }
}
