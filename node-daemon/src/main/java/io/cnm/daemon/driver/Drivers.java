package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.driver.host.HostDriver;
import io.cnm.daemon.driver.macvlan.MacvlanDriver;
import io.cnm.daemon.driver.none.NullDriver;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.driver.overlay.OverlayDriver;
import io.cnm.daemon.encryption.NodeEncryption;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that lists the drivers a node has (libnetwork's driver registry): the built-in
 * ones, then plugins found by name. The agent asks it for a network's driver; a network whose
 * driver is neither is reported DriverUnavailable, saying where the plugin was looked for.
 */
public final class Drivers {
  private final Map<String, Driver> byName = new LinkedHashMap<>();
  private final DriverPlugins plugins;

  public Drivers(List<Driver> drivers) {
    this(drivers, DriverPlugins.NONE);
  }

  public Drivers(List<Driver> drivers, DriverPlugins plugins) {
    drivers.forEach(d -> byName.put(d.name(), d));
    this.plugins = plugins;
  }

  /** These drivers, and plugins found through {@code plugins}. */
  public Drivers withPlugins(DriverPlugins plugins) {
    return new Drivers(List.copyOf(byName.values()), plugins);
  }

  /** The built-in drivers: bridge, overlay (with the node's gwbridge), host and null. */
  public static Drivers builtIn(Sandboxes sandboxes, Underlay underlay, Cidr gwbridgeSubnet) {
    return builtIn(sandboxes, underlay, new GwBridge(sandboxes, gwbridgeSubnet));
  }

  /** The built-in drivers, the overlay with this gwbridge (which remote drivers' gateway service shares). */
  public static Drivers builtIn(Sandboxes sandboxes, Underlay underlay, GwBridge gwbridge) {
    return builtIn(sandboxes, underlay, gwbridge, NodeEncryption.unavailable("this node-daemon was started without encryption"));
  }

  /** The built-in drivers, the overlay encrypting through {@code encryption}. */
  public static Drivers builtIn(Sandboxes sandboxes, Underlay underlay, GwBridge gwbridge, NodeEncryption encryption) {
    return new Drivers(List.of(new BridgeDriver(sandboxes), new OverlayDriver(sandboxes, underlay, gwbridge, encryption), new HostDriver(),
        new NullDriver(sandboxes), new MacvlanDriver(sandboxes)));
  }

  public Optional<Driver> get(String name) {
    Driver d = byName.get(name);
    return d != null ? Optional.of(d) : plugins.find(name);
  }

  /** The built-in drivers' names, then the plugins used so far. */
  public Set<String> names() {
    Set<String> out = new LinkedHashSet<>(byName.keySet());
    plugins.known().forEach(d -> out.add(d.name()));
    return out;
  }

  /** Every driver that may hold something on this node: the built-in ones and the plugins used so far. */
  public List<Driver> all() {
    List<Driver> out = new ArrayList<>(byName.values());
    out.addAll(plugins.known());
    return out;
  }

  /** Why there is no driver of this name: the built-in names, and where a plugin was looked for. */
  public String whyMissing(String name) {
    return "no built-in driver (" + String.join(", ", byName.keySet()) + ") and no plugin " + name + ": looked for "
        + plugins.whereLooked(name);
  }
}
