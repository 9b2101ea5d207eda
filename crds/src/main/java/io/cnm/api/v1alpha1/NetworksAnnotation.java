package io.cnm.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod annotation {@code cnm.io/networks}: which networks a pod joins, Multus-style but
 * declarative. A comma-separated list of {@code network[@option;option...]} with options
 * {@code ip=}, {@code ip6=}, {@code mac=}, {@code alias=} (repeatable) and {@code interface=}:
 * {@code "front, back@ip=10.1.2.3;alias=db"}. Pure.
 */
public final class NetworksAnnotation {
  public static final String NAME = "cnm.io/networks";

  /** One requested attachment. */
  public record Attachment(String network, String ip, String ip6, String mac, List<String> aliases, String interfaceName) {}

  private NetworksAnnotation() {}

  /** The attachments, in order; throws IllegalArgumentException with a message a user can act on. */
  public static List<Attachment> parse(String value) {
    Map<String, Attachment> out = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      return List.of();
    }
    for (String raw : value.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int at = entry.indexOf('@');
      String network = (at < 0 ? entry : entry.substring(0, at)).trim();
      if (!network.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        throw new IllegalArgumentException("'" + network + "' is not a network name (lower-case letters, digits, '-' and '.')");
      }
      String ip = null;
      String ip6 = null;
      String mac = null;
      String ifname = null;
      List<String> aliases = new ArrayList<>();
      if (at >= 0) {
        for (String opt : entry.substring(at + 1).split(";")) {
          String o = opt.trim();
          if (o.isEmpty()) {
            continue;
          }
          int eq = o.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("option '" + o + "' of network " + network + " must be key=value");
          }
          String k = o.substring(0, eq).trim();
          String v = o.substring(eq + 1).trim();
          switch (k) {
            case "ip" -> ip = v;
            case "ip6" -> ip6 = v;
            case "mac" -> mac = v;
            case "alias" -> aliases.add(v);
            case "interface" -> ifname = v;
            default -> throw new IllegalArgumentException("unknown option '" + k + "' for network " + network
                + " (known: ip, ip6, mac, alias, interface)");
          }
        }
      }
      if (out.containsKey(network)) {
        throw new IllegalArgumentException("network " + network + " is listed twice");
      }
      out.put(network, new Attachment(network, ip, ip6, mac, List.copyOf(aliases), ifname));
    }
    return List.copyOf(out.values());
  }
}
