package io.cnm.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a plugin by name the way Docker's plugin registry does: first a socket
 * {@code NAME.sock} or {@code NAME/NAME.sock} in the sockets directory ({@code /run/docker/plugins}),
 * then in each spec directory ({@code /etc/docker/plugins}, {@code /usr/lib/docker/plugins}) a
 * {@code NAME.spec} (a URL as text) or {@code NAME.json} (a JSON object with {@code Addr}), each
 * also under {@code NAME/}. The first that exists wins. Nothing is cached: a plugin that appears,
 * moves or goes is seen on the next look.
 */
public final class PluginLocator {
  public static final Path SOCKETS = Path.of("/run/docker/plugins");
  public static final List<Path> SPECS = List.of(Path.of("/etc/docker/plugins"), Path.of("/usr/lib/docker/plugins"));

  private final Path sockets;
  private final List<Path> specs;

  public PluginLocator(Path sockets, List<Path> specs) {
    this.sockets = sockets;
    this.specs = List.copyOf(specs);
  }

  /** Docker's directories. */
  public static PluginLocator docker() {
    return new PluginLocator(SOCKETS, SPECS);
  }

  /** A plugin's address and the file it was found through. */
  public record Found(String name, PluginAddress address, Path source) {}

  /**
   * The plugin's address, or empty when none of the places holds it.
   *
   * @throws PluginException UNAVAILABLE when a spec exists but cannot be read
   */
  public Optional<Found> find(String name) {
    requireName(name);
    for (Path p : paths(sockets, name, ".sock")) {
      if (isSocket(p)) {
        return Optional.of(new Found(name, PluginAddress.unix(p), p));
      }
    }
    for (Path p : specPaths(name)) {
      if (Files.exists(p)) {
        return Optional.of(new Found(name, read(name, p), p));
      }
    }
    return Optional.empty();
  }

  /** Whether one of the places holds the plugin (a spec that cannot be read counts: using it says why). */
  public boolean holds(String name) {
    try {
      return find(name).isPresent();
    } catch (PluginException e) {
      return true;
    }
  }

  /** Every place looked in for the plugin, in order (for a message that says where it was not). */
  public List<Path> searched(String name) {
    List<Path> out = new ArrayList<>(paths(sockets, name, ".sock"));
    out.addAll(specPaths(name));
    return out;
  }

  /** Where the plugin was looked for, short: "/run/docker/plugins/NAME.sock, /etc/docker/plugins/NAME.{spec,json}...". */
  public String searchedSummary(String name) {
    StringBuilder b = new StringBuilder(sockets.resolve(name + ".sock").toString());
    for (Path d : specs) {
      b.append(", ").append(d.resolve(name + ".{spec,json}"));
    }
    return b.append(" (each also under ").append(name).append("/)").toString();
  }

  private List<Path> specPaths(String name) {
    List<Path> out = new ArrayList<>();
    for (Path d : specs) {
      out.addAll(paths(d, name, ".spec"));
      out.addAll(paths(d, name, ".json"));
    }
    return out;
  }

  private static List<Path> paths(Path base, String name, String ext) {
    return List.of(base.resolve(name + ext), base.resolve(name).resolve(name + ext));
  }

  private static boolean isSocket(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isOther();
    } catch (IOException e) {
      return false;
    }
  }

  private static PluginAddress read(String name, Path p) {
    try {
      String text = Files.readString(p);
      if (p.toString().endsWith(".json")) {
        JsonNode spec = new ObjectMapper().readTree(text);
        if (spec == null || !spec.hasNonNull("Addr")) {
          throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": " + p + " has no Addr");
        }
        if (spec.hasNonNull("TLSConfig")) {
          throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": " + p
              + " asks for TLS (TLSConfig), which cnm does not speak to plugins yet; use a unix socket or plain tcp:// on the node");
        }
        return PluginAddress.parse(spec.get("Addr").asText());
      }
      return PluginAddress.parse(text);
    } catch (IOException e) {
      throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": cannot read " + p + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PluginException(PluginException.UNAVAILABLE, "plugin " + name + ": " + p + ": " + e.getMessage(), e);
    }
  }

  private static void requireName(String name) {
    if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("'" + name + "' is not a plugin name");
    }
  }
}
