package io.cnm.daemon.driver.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnm.plugin.network.NetworkDriverApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one plugin was asked to create on this node and has not been asked to delete yet,
 * written to a file after every change (libnetwork keeps the same in its store). A restarted
 * daemon reads it back, so it neither creates twice nor forgets to delete.
 */
final class RemoteState {
  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A network created on the plugin. */
  record Net(String key, String networkId) {}

  /**
   * An endpoint created on the plugin, and how far it got: joined (with the plugin's answer),
   * its interface in a sandbox, its external connectivity programmed (for these ports).
   */
  record Ep(String key, String networkKey, String networkId, String endpointId, String netnsPath, String mac, boolean joined,
      NetworkDriverApi.JoinAnswer join, String programmedPorts) {
    Ep withJoin(NetworkDriverApi.JoinAnswer answer) {
      return new Ep(key, networkKey, networkId, endpointId, netnsPath, mac, answer != null, answer, programmedPorts);
    }

    Ep withProgrammed(String ports) {
      return new Ep(key, networkKey, networkId, endpointId, netnsPath, mac, joined, join, ports);
    }
  }

  /** The file's shape. */
  record Saved(Map<String, Net> networks, Map<String, Ep> endpoints) {}

  private final Path file;
  private final Map<String, Net> networks = new TreeMap<>();
  private final Map<String, Ep> endpoints = new TreeMap<>();

  RemoteState(Path file) {
    this.file = file;
    if (file != null && Files.exists(file)) {
      try {
        Saved s = JSON.readValue(file.toFile(), Saved.class);
        if (s.networks() != null) {
          networks.putAll(s.networks());
        }
        if (s.endpoints() != null) {
          endpoints.putAll(s.endpoints());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + " (what plugins were asked to create here)", e);
      }
    }
  }

  boolean isEmpty() {
    return networks.isEmpty() && endpoints.isEmpty();
  }

  Net network(String key) {
    return networks.get(key);
  }

  Ep endpoint(String key) {
    return endpoints.get(key);
  }

  List<Net> networks() {
    return new ArrayList<>(networks.values());
  }

  List<Ep> endpoints() {
    return new ArrayList<>(endpoints.values());
  }

  boolean hasEndpointsOf(String networkKey) {
    return endpoints.values().stream().anyMatch(e -> e.networkKey().equals(networkKey));
  }

  void put(Net n) {
    networks.put(n.key(), n);
    save();
  }

  void put(Ep e) {
    endpoints.put(e.key(), e);
    save();
  }

  void removeNetwork(String key) {
    networks.remove(key);
    save();
  }

  void removeEndpoint(String key) {
    endpoints.remove(key);
    save();
  }

  private void save() {
    if (file == null) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), new Saved(networks, endpoints));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + " (what plugins were asked to create here)", e);
    }
  }
}
