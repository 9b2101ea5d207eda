package io.cnm.daemon.driver;

import java.util.Collection;
import java.util.Optional;

/**
 * Drivers that are not built in: found by name when a network asks for one (Docker's remote
 * network drivers, looked up the way Docker looks up plugins).
 */
public interface DriverPlugins {
  /** The driver for this name, when a plugin of that name can be found now. */
  Optional<Driver> find(String name);

  /** Every plugin driver used so far, or holding something from an earlier run (so it can be swept). */
  Collection<Driver> known();

  /** Where a plugin of this name was looked for, for a message that says it is missing. */
  String whereLooked(String name);

  DriverPlugins NONE = new DriverPlugins() {
    @Override
    public Optional<Driver> find(String name) {
      return Optional.empty();
    }

    @Override
    public Collection<Driver> known() {
      return java.util.List.of();
    }

    @Override
    public String whereLooked(String name) {
      return "no plugin directories configured";
    }
  };
}
