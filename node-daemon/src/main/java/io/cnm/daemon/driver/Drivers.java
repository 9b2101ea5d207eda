package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.driver.host.HostDriver;
import io.cnm.daemon.driver.macvlan.MacvlanDriver;
import io.cnm.daemon.driver.none.NullDriver;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that lists the drivers a node has (libnetwork's driver registry). The agent asks
 * it for a network's driver; a network whose driver is not here is reported DriverUnavailable.
 */
public final class Drivers {
  private final Map<String, Driver> byName = new LinkedHashMap<>();

  public Drivers(List<Driver> drivers) {
    drivers.forEach(d -> byName.put(d.name(), d));
  }

  /** The built-in drivers: bridge, overlay (with the node's gwbridge), host and null. */
  public static Drivers builtIn(Sandboxes sandboxes, Underlay underlay, Cidr gwbridgeSubnet) {
    return new Drivers(List.of(new BridgeDriver(sandboxes),
        new OverlayDriver(sandboxes, underlay, new GwBridge(sandboxes, gwbridgeSubnet)), new HostDriver(),
        new NullDriver(sandboxes), new MacvlanDriver(sandboxes)));
  }

  public Optional<Driver> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Set<String> names() {
    return byName.keySet();
  }
}
