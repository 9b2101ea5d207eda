package io.cnm.daemon.driver.remote;

import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.DriverPlugins;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.plugin.Plugins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The node's remote network drivers: a plugin becomes a driver the first time a network names it
 * and it can be found, and stays one. Each keeps what it created in {@code stateDir/remote-NAME.json};
 * on start every such file becomes a driver again, so a daemon restarted after endpoints were
 * deleted still deletes them on their plugin.
 */
public final class RemoteDrivers implements DriverPlugins {
  private static final String PREFIX = "remote-";
  private static final String SUFFIX = ".json";

  private final Plugins plugins;
  private final Sandboxes sandboxes;
  private final NetNamespace nodeNamespace;
  private final GwBridge gwbridge;
  private final Path stateDir;
  private final Map<String, RemoteDriver> drivers = new ConcurrentHashMap<>();

  public RemoteDrivers(Plugins plugins, Sandboxes sandboxes, NetNamespace nodeNamespace, GwBridge gwbridge, Path stateDir) {
    this.plugins = plugins;
    this.sandboxes = sandboxes;
    this.nodeNamespace = nodeNamespace;
    this.gwbridge = gwbridge;
    this.stateDir = stateDir;
    if (Files.isDirectory(stateDir)) {
      try (Stream<Path> files = Files.list(stateDir)) {
        files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith(PREFIX) && f.endsWith(SUFFIX))
            .forEach(f -> driver(f.substring(PREFIX.length(), f.length() - SUFFIX.length())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + stateDir, e);
      }
    }
  }

  private RemoteDriver driver(String name) {
    return drivers.computeIfAbsent(name, n -> new RemoteDriver(n, plugins.client(n), sandboxes, nodeNamespace, gwbridge,
        new RemoteState(stateDir.resolve(PREFIX + n + SUFFIX))));
  }

  @Override
  public Optional<Driver> find(String name) {
    RemoteDriver known = drivers.get(name);
    if (known != null) {
      return Optional.of(known);
    }
    try {
      return plugins.locator().find(name).map(f -> driver(name));
    } catch (RuntimeException e) {
      return Optional.empty(); // a spec that cannot be read: whereLooked says no more than missing, the log says why
    }
  }

  @Override
  public Collection<Driver> known() {
    return new ArrayList<>(drivers.values());
  }

  @Override
  public String whereLooked(String name) {
    return plugins.locator().searchedSummary(name);
  }
}
