package io.cnm.operator.network.remote;

import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.PluginErrors;
import io.cnm.operator.ipam.NetworkAllocation;
import io.cnm.operator.network.NetworkAllocator;
import io.cnm.plugin.PluginException;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.network.NetworkDriverApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Calls a remote network driver's AllocateNetwork and FreeNetwork from the operator, as Docker's
 * swarm manager does, when the plugin is reachable here and says it is global-scope
 * (GetCapabilities, asked once). A plugin the operator cannot find is taken as local-scope:
 * nodes then create the network without an allocation.
 */
public final class RemoteNetworkAllocator implements NetworkAllocator {
  private static final Logger LOG = Logger.getLogger(RemoteNetworkAllocator.class);
  private final Plugins plugins;
  private final Map<String, NetworkDriverApi.Capabilities> capabilities = new ConcurrentHashMap<>();

  public RemoteNetworkAllocator(Plugins plugins) {
    this.plugins = plugins;
  }

  @Override
  public Optional<Map<String, String>> allocate(String driver, String networkId, Map<String, String> options, NetworkAllocation a) {
    if (!plugins.locator().holds(driver)) {
      return Optional.empty();
    }
    NetworkDriverApi.Capabilities caps = capabilities.computeIfAbsent(driver, d -> call(d, "GetCapabilities", null,
        NetworkDriverApi.Capabilities.class));
    if (!caps.global()) {
      return Optional.empty();
    }
    List<NetworkDriverApi.IpamData> v4 = new ArrayList<>();
    List<NetworkDriverApi.IpamData> v6 = new ArrayList<>();
    for (NetworkAllocation.Subnet s : a.subnets()) {
      String gw = s.gateway() == null ? "" : s.gateway() + "/" + s.cidr().prefixLength();
      (s.cidr().family() == 4 ? v4 : v6).add(new NetworkDriverApi.IpamData("GlobalDefault", s.cidr().toString(), gw, Map.of()));
    }
    NetworkDriverApi.AllocateNetworkAnswer answer = call(driver, "AllocateNetwork",
        new NetworkDriverApi.AllocateNetwork(networkId, options, v4, v6), NetworkDriverApi.AllocateNetworkAnswer.class);
    return Optional.of(answer == null || answer.options() == null ? Map.of() : Map.copyOf(answer.options()));
  }

  @Override
  public void free(String driver, String networkId) {
    try {
      call(driver, "FreeNetwork", new NetworkDriverApi.NetworkId(networkId), Void.class);
    } catch (CnmException.Conflict e) {
      LOG.warnf("FreeNetwork of %s: %s (counted done)", networkId, e.getMessage()); // its own refusal: asking again changes nothing
    }
  }

  private <T> T call(String driver, String method, Object request, Class<T> type) {
    try {
      return plugins.client(driver).call(NetworkDriverApi.KIND, method, request, type);
    } catch (PluginException e) {
      throw PluginErrors.of(e);
    }
  }
}
