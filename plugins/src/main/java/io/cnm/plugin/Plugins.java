package io.cnm.plugin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The plugins a process talks to: one {@link PluginClient} per name, found through one locator. */
public final class Plugins {
  private final PluginLocator locator;
  private final long timeoutMillis;
  private final long backoffMaxMillis;
  private final Map<String, PluginClient> clients = new ConcurrentHashMap<>();

  public Plugins(PluginLocator locator, long timeoutMillis, long backoffMaxMillis) {
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
    this.backoffMaxMillis = backoffMaxMillis;
  }

  public PluginLocator locator() {
    return locator;
  }

  public PluginClient client(String name) {
    return clients.computeIfAbsent(name, n -> new PluginClient(n, locator, timeoutMillis, backoffMaxMillis,
        () -> System.nanoTime() / 1_000_000L));
  }
}
