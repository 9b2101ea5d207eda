package io.cnm.operator.service;

import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's published service ports, one owner per protocol and port (every node opens an
 * ingress port, so they are one space across the cluster, as in a swarm). A port asked for is
 * granted unless another service holds it; a port left open is the lowest free one from
 * 30000-32767, as Docker allocates. In memory and atomic; restored from the services' statuses at
 * start (by {@link io.cnm.operator.recovery.IpamRecovery}, which holds the one instance), so a
 * restart never hands a held port to another service.
 */
public final class PublishedPorts {
  public static final int FIRST = 30000;
  public static final int LAST = 32767;

  private final Map<String, String> owners = new HashMap<>();

  /** The key of a protocol and port, as {@link #releaseExcept} takes them. */
  public static String key(String protocol, int port) {
    return protocol + "/" + port;
  }

  /**
   * Grants {@code owner} a port.
   *
   * @param requested the port asked for, or null for any free one from the range
   * @throws CnmException.Conflict when another service holds the port asked for
   */
  public synchronized int claim(String owner, String protocol, Integer requested) {
    if (requested != null) {
      String holder = owners.putIfAbsent(key(protocol, requested), owner);
      if (holder != null && !holder.equals(owner)) {
        throw new CnmException.Conflict(Reasons.PORT_CONFLICT, "published port " + requested + "/" + protocol + " is held by service "
            + holder.replaceFirst("^svc:", "") + "; choose another port, or leave it out to get one from " + FIRST + "-" + LAST);
      }
      return requested;
    }
    for (int p = FIRST; p <= LAST; p++) {
      if (owners.putIfAbsent(key(protocol, p), owner) == null) {
        return p;
      }
    }
    throw new CnmException.Conflict(Reasons.PORT_CONFLICT, "no free " + protocol + " port left in " + FIRST + "-" + LAST);
  }

  /** Frees what {@code owner} holds except the given protocol/port keys. */
  public synchronized void releaseExcept(String owner, Set<String> keep) {
    owners.entrySet().removeIf(e -> e.getValue().equals(owner) && !keep.contains(e.getKey()));
  }

  /** Who holds a port, or null (tests). */
  public synchronized String holder(String protocol, int port) {
    return owners.get(key(protocol, port));
  }
}
