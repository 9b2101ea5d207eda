package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import java.util.Map;

/**
 * Remote IPAM drivers as the IPAM uses them (libnetwork's ipamapi for a plugin): pools and
 * addresses come from the plugin named by the network's {@code ipam.driver}. Failures are
 * {@link CnmException}s: the plugin's own error a Conflict (reason PluginError, its message
 * verbatim), a plugin that cannot be reached a Transient (PluginUnavailable, saying where it was
 * looked for).
 */
public interface IpamPlugin {
  /** A pool handed out by the driver: its ID for later calls, the subnet and the address space it is in. */
  record Pool(String poolId, Cidr pool, String addressSpace) {}

  /**
   * Asks for a pool in the driver's default local or global address space (as it announced
   * them), the given subnet (and sub-range) or any when {@code pool} is null.
   */
  Pool requestPool(String driver, boolean cluster, Cidr pool, Cidr subPool, Map<String, String> options, boolean v6);

  void releasePool(String driver, String poolId);

  /** An address of the pool (with the pool's prefix): the preferred one, or any when null. */
  Cidr requestAddress(String driver, String poolId, IpAddress preferred, Map<String, String> options);

  void releaseAddress(String driver, String poolId, IpAddress address);

  /** Whether RequestAddress needs the endpoint's MAC (GetCapabilities' RequiresMACAddress). */
  boolean requiresMac(String driver);

  /** No plugins: every remote IPAM driver is unavailable. */
  IpamPlugin NONE = new IpamPlugin() {
    private CnmException none(String driver) {
      return new CnmException.InvalidConfig(Reasons.IPAM_DRIVER_UNAVAILABLE,
          "IPAM driver '" + driver + "' is not available: this operator has no plugin directories configured");
    }

    @Override
    public Pool requestPool(String driver, boolean cluster, Cidr pool, Cidr subPool, Map<String, String> options, boolean v6) {
      throw none(driver);
    }

    @Override
    public void releasePool(String driver, String poolId) {
      throw none(driver);
    }

    @Override
    public Cidr requestAddress(String driver, String poolId, IpAddress preferred, Map<String, String> options) {
      throw none(driver);
    }

    @Override
    public void releaseAddress(String driver, String poolId, IpAddress address) {
      throw none(driver);
    }

    @Override
    public boolean requiresMac(String driver) {
      throw none(driver);
    }
  };
}
