package io.cnm.operator.config;

import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.ipam.PoolSpec;
import io.cnm.operator.ipam.remote.RemoteIpamDrivers;
import io.cnm.operator.network.NetworkAllocator;
import io.cnm.operator.network.remote.RemoteNetworkAllocator;
import io.cnm.plugin.PluginLocator;
import io.cnm.plugin.Plugins;
import java.nio.file.Path;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Wires configuration into the operator: the IPAM with its pools, and leader election.
 * Unremovable: QOSDK looks the customizer up by type at start, so nothing injects it.
 */
@Singleton
@Unremovable
public class OperatorSetup implements ConfigurationServiceCustomizer {
  private static final Logger LOG = Logger.getLogger(OperatorSetup.class);
  private final CnmConfig config;

  public OperatorSetup(CnmConfig config) {
    this.config = config;
  }

  /** Docker plugins the operator calls: remote IPAM drivers, and global-scope network drivers' allocation. */
  @Produces
  @Singleton
  Plugins plugins() {
    var p = config.plugins();
    return new Plugins(new PluginLocator(Path.of(p.socketsDir()), p.specDirs().stream().map(Path::of).toList()), p.timeoutMs(),
        p.backoffMaxMs());
  }

  @Produces
  @Singleton
  NetworkAllocator networkAllocator(Plugins plugins) {
    return new RemoteNetworkAllocator(plugins);
  }

  @Produces
  @Singleton
  Ipam ipam(Plugins plugins) {
    Ipam ipam = new Ipam(PoolSpec.parseList(config.ipam().localPools()), PoolSpec.parseList(config.ipam().clusterPools()))
        .withPlugins(new RemoteIpamDrivers(plugins));
    LOG.infof("IPAM default pools: local %s, cluster %s", config.ipam().localPools(), config.ipam().clusterPools());
    return ipam;
  }

  @Override
  public Consumer<ConfigurationServiceOverrider> overrider() {
    return o -> {
      if (config.leaderElection().enabled()) {
        String ns = config.leaderElection().leaseNamespace().orElse(null);
        LOG.infof("leader election on: Lease %s in namespace %s", config.leaderElection().leaseName(), ns);
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaderElection().leaseName(), ns));
      }
    };
  }
}
