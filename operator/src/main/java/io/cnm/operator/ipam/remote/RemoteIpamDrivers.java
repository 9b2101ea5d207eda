package io.cnm.operator.ipam.remote;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.PluginErrors;
import io.cnm.operator.error.Reasons;
import io.cnm.operator.ipam.IpamPlugin;
import io.cnm.plugin.PluginClient;
import io.cnm.plugin.PluginException;
import io.cnm.plugin.Plugins;
import io.cnm.plugin.ipam.IpamDriverApi;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The remote IPAM drivers the operator calls, one {@link PluginClient} per plugin name. Each
 * driver's capabilities and default address spaces are asked once (GetCapabilities,
 * GetDefaultAddressSpaces) and pools are requested in the space it named, as libnetwork does.
 */
public final class RemoteIpamDrivers implements IpamPlugin {
  private final Plugins plugins;
  private final Map<String, IpamDriverApi.AddressSpaces> spaces = new ConcurrentHashMap<>();
  private final Map<String, IpamDriverApi.Capabilities> capabilities = new ConcurrentHashMap<>();

  public RemoteIpamDrivers(Plugins plugins) {
    this.plugins = plugins;
  }

  @Override
  public Pool requestPool(String driver, boolean cluster, Cidr pool, Cidr subPool, Map<String, String> options, boolean v6) {
    IpamDriverApi.AddressSpaces s = spaces.computeIfAbsent(driver, d -> call(d, "GetDefaultAddressSpaces", null,
        IpamDriverApi.AddressSpaces.class));
    String space = cluster ? s.globalDefault() : s.localDefault();
    IpamDriverApi.PoolAnswer a = call(driver, "RequestPool", new IpamDriverApi.RequestPool(space, pool == null ? "" : pool.toString(),
        subPool == null ? "" : subPool.toString(), options, v6), IpamDriverApi.PoolAnswer.class);
    if (a == null || a.poolId() == null || a.pool() == null) {
      throw new CnmException.Transient(PluginException.UNAVAILABLE, "IPAM plugin " + driver + " answered RequestPool without PoolID or Pool");
    }
    Cidr got = Cidr.parse(a.pool()).masked();
    if (pool != null && !got.equals(pool)) {
      call(driver, "ReleasePool", new IpamDriverApi.ReleasePool(a.poolId()), Void.class);
      throw new CnmException.Conflict(PluginException.ERROR, "IPAM plugin " + driver + " gave pool " + got + " for " + pool);
    }
    return new Pool(a.poolId(), got, space);
  }

  @Override
  public void releasePool(String driver, String poolId) {
    call(driver, "ReleasePool", new IpamDriverApi.ReleasePool(poolId), Void.class);
  }

  @Override
  public Cidr requestAddress(String driver, String poolId, IpAddress preferred, Map<String, String> options) {
    IpamDriverApi.AddressAnswer a = call(driver, "RequestAddress", new IpamDriverApi.RequestAddress(poolId,
        preferred == null ? "" : preferred.toString(), options), IpamDriverApi.AddressAnswer.class);
    if (a == null || a.address() == null || a.address().isEmpty()) {
      throw new CnmException.Transient(PluginException.UNAVAILABLE, "IPAM plugin " + driver + " answered RequestAddress without Address");
    }
    Cidr got = Cidr.parse(a.address());
    if (preferred != null && !got.address().equals(preferred)) {
      releaseAddress(driver, poolId, got.address());
      throw new CnmException.Conflict(PluginException.ERROR, "IPAM plugin " + driver + " gave " + got.address() + " for " + preferred);
    }
    return got;
  }

  @Override
  public void releaseAddress(String driver, String poolId, IpAddress address) {
    call(driver, "ReleaseAddress", new IpamDriverApi.ReleaseAddress(poolId, address.toString()), Void.class);
  }

  @Override
  public boolean requiresMac(String driver) {
    return capabilities.computeIfAbsent(driver, d -> call(d, "GetCapabilities", null, IpamDriverApi.Capabilities.class))
        .requiresMacAddress();
  }


  /** A plugin call, its failures as the operator's errors: absent or unreachable retried, its own error shown verbatim. */
  private <T> T call(String driver, String method, Object request, Class<T> type) {
    try {
      return plugins.client(driver).call(IpamDriverApi.KIND, method, request, type);
    } catch (PluginException e) {
      if (!e.answered() && !plugins.locator().holds(driver)) {
        throw new CnmException.Conflict(Reasons.IPAM_DRIVER_UNAVAILABLE, "IPAM driver '" + driver + "' is not available: " + e.getMessage());
      }
      throw PluginErrors.of(e);
    } catch (IllegalArgumentException e) {
      throw new CnmException.InvalidConfig(Reasons.IPAM_DRIVER_UNAVAILABLE, "IPAM driver '" + driver + "': " + e.getMessage());
    }
  }
}
