package io.cnm.daemon.dns;

import io.cnm.api.net.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of what the embedded DNS knows: which networks each sandbox is on, and
 * per network the names that resolve on it (endpoint names and aliases, service names to their
 * VIP or, for dnsrr, to every backend, and {@code tasks.<service>} to every backend). Names are
 * lower case without the trailing dot. The agent swaps in a new snapshot on every change; the
 * per-sandbox and per-network tables may be {@link ShardedMap}s, which a new snapshot shares in
 * part with the one before.
 */
public record DnsRecords(Map<String, Set<String>> networksOfSandbox, Map<String, Map<String, List<IpAddress>>> namesOfNetwork,
    Map<String, String> networkNames) {
  public static final DnsRecords EMPTY = new DnsRecords(Map.of(), Map.of(), Map.of());

  public DnsRecords {
    networksOfSandbox = networksOfSandbox instanceof ShardedMap<String, Set<String>> s ? s : Map.copyOf(networksOfSandbox);
    namesOfNetwork = Map.copyOf(namesOfNetwork);
    networkNames = Map.copyOf(networkNames);
  }
}
