package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * One entry of the gossip's {@code endpoint} table (Docker networkdb's endpoint table): an
 * endpoint of a cluster network, published by the node that holds it and read by every node with
 * an endpoint on the same network. From it the others program the overlay (FDB and neighbour
 * entries towards {@code vtep}) and answer its names in DNS.
 *
 * @param networkId the network's ID (the gossip group)
 * @param names the names it answers to: the sandbox's, the endpoint's and its aliases
 * @param session the publishing daemon's ESP session (encrypted overlays derive their keys with
 *     it), or {@link #NO_SESSION}
 */
public record EndpointRecord(String networkId, String node, List<String> names, IpAddress ip, String mac, IpAddress vtep,
    int session) {
  public static final int NO_SESSION = -1;

  public EndpointRecord {
    names = List.copyOf(names);
  }

  public EndpointRecord(String networkId, String node, List<String> names, IpAddress ip, String mac, IpAddress vtep) {
    this(networkId, node, names, ip, mac, vtep, NO_SESSION);
  }

  /** The same record stamped with the publishing daemon's session. */
  public EndpointRecord withSession(int s) {
    return s == session ? this : new EndpointRecord(networkId, node, names, ip, mac, vtep, s);
  }

  /** The table the records live in. */
  public static final String TABLE = "endpoint";

  /** The record's value as stored in the table (text, versioned by its first field). */
  public byte[] encode() {
    // A seventh field is read by daemons that know it and ignored by older ones (they read six).
    String v = "1|" + node + "|" + String.join(",", names) + "|" + ip + "|" + mac + "|" + vtep + (session == NO_SESSION ? "" : "|" + session);
    return v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Decodes a table value; null when it is of a version this daemon does not read. */
  public static EndpointRecord decode(String networkId, byte[] value) {
    String[] f = new String(value, java.nio.charset.StandardCharsets.UTF_8).split("\\|", -1);
    if (f.length < 6 || !f[0].equals("1")) {
      return null;
    }
    int session = NO_SESSION;
    if (f.length > 6) {
      try {
        session = Integer.parseInt(f[6]);
      } catch (NumberFormatException e) {
        session = NO_SESSION; // not a session this daemon reads: as if there were none
      }
    }
    return new EndpointRecord(networkId, f[1], f[2].isEmpty() ? List.of() : List.of(f[2].split(",")), IpAddress.parse(f[3]), f[4],
        IpAddress.parse(f[5]), session);
  }
}
