package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import java.nio.charset.StandardCharsets;

/**
 * One entry of the gossip's {@code service_backend} table (networkdb's service table): an
 * endpoint on a cluster network that a CnmService selects, published by the node that holds it.
 * Other nodes answer {@code tasks.<service>} and dnsrr names with it, and (with service load
 * balancing) program the VIP towards it.
 *
 * @param service the service's key (namespace/name)
 * @param vip the service's VIP on this network, or null (dnsrr)
 */
public record ServiceBackendRecord(String networkId, String node, String service, IpAddress vip, IpAddress backend) {
  public static final String TABLE = "service_backend";

  /** The table key: one entry per service and backend endpoint. */
  public static String key(String service, String endpointKey) {
    return service + "|" + endpointKey;
  }

  public byte[] encode() {
    return ("1|" + node + "|" + service + "|" + (vip == null ? "" : vip) + "|" + backend).getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes a table value; null when it is of a version this daemon does not read. */
  public static ServiceBackendRecord decode(String networkId, byte[] value) {
    String[] f = new String(value, StandardCharsets.UTF_8).split("\\|", -1);
    if (f.length < 5 || !f[0].equals("1")) {
      return null;
    }
    return new ServiceBackendRecord(networkId, f[1], f[2], f[3].isEmpty() ? null : IpAddress.parse(f[3]), IpAddress.parse(f[4]));
  }
}
