package io.cnm.daemon.driver;

import io.cnm.daemon.netlink.Link;

/**
 * The mark on every node-side link this daemon creates: an interface alias (ifalias) starting
 * with {@code cnm:}. A restarted daemon tells its own leftovers from everything else on the node
 * by it (Docker's bridges are named br-&lt;12 hex&gt; too); it removes only marked links.
 */
public final class Owned {
  /** Prefix of the alias of every link this daemon creates. */
  public static final String ALIAS = "cnm:";

  private Owned() {}

  /** Whether this daemon created the link. */
  public static boolean ours(Link l) {
    return l.alias() != null && l.alias().startsWith(ALIAS);
  }

  /** The alias marking a link made for {@code what} (a network or endpoint key). */
  public static String mark(String what) {
    return ALIAS + what;
  }
}
