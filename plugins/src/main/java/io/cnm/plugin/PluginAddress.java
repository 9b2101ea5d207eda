package io.cnm.plugin;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a plugin answers: a unix socket or a TCP address, written as Docker writes it in a spec
 * file ({@code unix:///run/x.sock}, {@code tcp://127.0.0.1:8080}).
 */
public record PluginAddress(String url, SocketAddress socket) {
  /** Parses a spec's address; anything but unix:// and tcp:// (or http://, which Docker treats as tcp) is refused. */
  public static PluginAddress parse(String url) {
    String u = url.trim();
    int colon = u.indexOf("://");
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + u + "' has no protocol (unix:// or tcp://)");
    }
    String scheme = u.substring(0, colon);
    String rest = u.substring(colon + 3);
    switch (scheme) {
      case "unix":
        if (!rest.startsWith("/")) {
          throw new IllegalArgumentException("'" + u + "': a unix socket needs an absolute path");
        }
        return new PluginAddress(u, UnixDomainSocketAddress.of(Path.of(rest)));
      case "tcp":
      case "http":
        URI parsed = URI.create("tcp://" + rest);
        if (parsed.getHost() == null || parsed.getPort() < 0) {
          throw new IllegalArgumentException("'" + u + "' needs a host and a port");
        }
        return new PluginAddress(u, InetSocketAddress.createUnresolved(parsed.getHost(), parsed.getPort()));
      default:
        throw new IllegalArgumentException("'" + u + "': unknown protocol " + scheme + " (unix:// or tcp://)");
    }
  }

  /** A unix socket found in the sockets directory. */
  public static PluginAddress unix(Path socket) {
    return new PluginAddress("unix://" + socket, UnixDomainSocketAddress.of(socket));
  }

  @Override
  public String toString() {
    return url;
  }
}
