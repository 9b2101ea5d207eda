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
 */
public record EndpointRecord(String networkId, String node, List<String> names, IpAddress ip, String mac, IpAddress vtep) {
  public EndpointRecord {
    names = List.copyOf(names);
  }

  /** The table the records live in. */
  public static final String TABLE = "endpoint";

  /** The record's value as stored in the table (text, versioned by its first field). */
  public byte[] encode() {
    String v = "1|" + node + "|" + String.join(",", names) + "|" + ip + "|" + mac + "|" + vtep;
    return v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Decodes a table value; null when it is of a version this daemon does not read. */
  public static EndpointRecord decode(String networkId, byte[] value) {
    String[] f = new String(value, java.nio.charset.StandardCharsets.UTF_8).split("\\|", -1);
    if (f.length < 6 || !f[0].equals("1")) {
      return null;
    }
    return new EndpointRecord(networkId, f[1], f[2].isEmpty() ? List.of() : List.of(f[2].split(",")), IpAddress.parse(f[3]), f[4],
        IpAddress.parse(f[5]));
  }
}
