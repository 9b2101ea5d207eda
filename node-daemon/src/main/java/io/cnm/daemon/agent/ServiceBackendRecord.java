package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import java.nio.charset.StandardCharsets;

/**
 * One entry of the gossip's {@code service_backend} table (networkdb's service table): a serving
 * endpoint on a cluster network that a CnmService selects, published by the node that holds it.
 * Other nodes answer {@code tasks.<service>} and dnsrr names with it and balance the VIP over it.
 * The owner withdraws it when the endpoint stops serving (not ready, or weight 0), which is how a
 * backend is quiesced cluster-wide.
 *
 * @param service the service's key (namespace/name)
 * @param vip the service's VIP on this network, or null (dnsrr)
 * @param weight the backend's weight (1 to 100; on the ingress network, the sum of a node's local backends' weights)
 */
public record ServiceBackendRecord(String networkId, String node, String service, IpAddress vip, IpAddress backend, int weight) {
  public static final String TABLE = "service_backend";

  public ServiceBackendRecord(String networkId, String node, String service, IpAddress vip, IpAddress backend) {
    this(networkId, node, service, vip, backend, 1);
  }

  /** The table key: one entry per service and backend endpoint. */
  public static String key(String service, String endpointKey) {
    return service + "|" + endpointKey;
  }

  public byte[] encode() {
    return ("1|" + node + "|" + service + "|" + (vip == null ? "" : vip) + "|" + backend + "|" + weight).getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes a table value; null when it is of a version this daemon does not read. A record without a weight has weight 1. */
  public static ServiceBackendRecord decode(String networkId, byte[] value) {
    String[] f = new String(value, StandardCharsets.UTF_8).split("\\|", -1);
    if (f.length < 5 || !f[0].equals("1")) {
      return null;
    }
    int weight = 1;
    if (f.length > 5) {
      try {
        weight = Math.max(1, Math.min(10_000, Integer.parseInt(f[5])));
      } catch (NumberFormatException e) {
        weight = 1;
      }
    }
    return new ServiceBackendRecord(networkId, f[1], f[2], f[3].isEmpty() ? null : IpAddress.parse(f[3]), IpAddress.parse(f[4]), weight);
  }
}
