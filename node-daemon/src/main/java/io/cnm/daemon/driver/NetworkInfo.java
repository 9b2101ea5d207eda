package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network as every driver sees it on this node (libnetwork's driver-neutral network
 * description): identity, the operator's allocation from status, and the driver's options as
 * labels. Typed driver options of the CRD arrive here as labels too ({@code bridge.name},
 * {@code bridge.enableIcc}, {@code overlay.encrypted}, {@code macvlan.parent}...), next to the
 * free {@code options} a remote driver receives, so one shape carries every driver.
 *
 * @param gateways each subnet's gateway with the subnet's prefix length (10.0.0.1/24)
 * @param mtu the MTU asked for, 0 for the driver's default
 * @param vni the VXLAN network identifier (overlay), 0 otherwise
 * @param cluster whether the network spans nodes (scope cluster): its endpoints are gossiped
 */
public record NetworkInfo(String key, String networkId, String driver, List<Cidr> subnets, List<Cidr> gateways,
    boolean internal, int mtu, int vni, boolean cluster, Map<String, String> options) {
  public NetworkInfo {
    subnets = List.copyOf(subnets);
    gateways = List.copyOf(gateways);
    options = Map.copyOf(options);
  }

  /** The network's name (the key without its namespace). */
  public String name() {
    return key.substring(key.indexOf('/') + 1);
  }

  /** The same network with one more label. */
  public NetworkInfo withOption(String name, String value) {
    Map<String, String> more = new HashMap<>(options);
    more.put(name, value);
    return new NetworkInfo(key, networkId, driver, subnets, gateways, internal, mtu, vni, cluster, more);
  }

  /** A driver option, or {@code dflt} when not set. */
  public String option(String name, String dflt) {
    return options.getOrDefault(name, dflt);
  }

  /** A boolean driver option ("true"/"false"), or {@code dflt} when not set. */
  public boolean flag(String name, boolean dflt) {
    String v = options.get(name);
    return v == null ? dflt : Boolean.parseBoolean(v);
  }
}
