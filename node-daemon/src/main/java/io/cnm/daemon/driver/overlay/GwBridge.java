package io.cnm.daemon.driver.overlay;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.net.MacAddresses;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.sandbox.VethPort;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's {@code cnm_gwbridge} (Docker's docker_gwbridge): a local bridge with masquerade that
 * every overlay sandbox joins as a second interface, for egress and published ports; the overlay
 * itself carries only sandbox-to-sandbox traffic. Ports on it are isolated, so sandboxes cannot
 * talk to each other through it. Its addresses are node-local: each endpoint's address is written
 * into the alias of its node-side veth, so a restarted daemon recovers every allocation from the
 * kernel and never hands one out twice.
 */
public final class GwBridge {
  public static final String NAME = "cnm_gwbridge";
  static final String VETH_PREFIX = "cgw";
  static final String MARK = Owned.ALIAS + "gw ";

  private final Sandboxes sandboxes;
  private final Netlink node;
  private final Cidr subnet;
  private final Cidr gateway;
  private final Map<String, IpAddress> byEndpoint = new HashMap<>();
  private BigInteger cursor;
  private boolean recovered;

  /** @param subnet the gwbridge's subnet; its first address is the gateway */
  public GwBridge(Sandboxes sandboxes, Cidr subnet) {
    this.sandboxes = sandboxes;
    this.node = sandboxes.node();
    this.subnet = subnet.masked();
    this.gateway = Cidr.of(IpAddress.of(4, this.subnet.address().value().add(BigInteger.ONE)), subnet.prefixLength());
    this.cursor = gateway.address().value();
  }

  public Cidr subnet() {
    return subnet;
  }

  /** The node-side veth of an endpoint on the gwbridge. */
  public static String hostVeth(String endpointKey) {
    return VETH_PREFIX + Ids.shortHash(endpointKey, 11);
  }

  /** Builds, or confirms, the bridge with its gateway address (network setup, not the attach path). */
  public synchronized void ensure() {
    BridgeDriver.ensureBridge(node, NAME, 0, Owned.mark("gwbridge"), List.of(gateway));
  }

  /** Connects the sandbox to the bridge ({@link #ensure} made it); returns the address given to the endpoint. */
  public synchronized IpAddress attach(EndpointInfo ep) {
    IpAddress ip = addressOf(ep.key());
    sandboxes.attach(new VethPort(hostVeth(ep.key()), MARK + ip + " " + ep.key(), NAME, ep.netnsPath(), null,
        MacAddresses.fromIpv4(ip), Cidr.of(ip, subnet.prefixLength()), 0, true, gateway.address()));
    return ip;
  }

  /**
   * The gwbridge as the node's firewall sees it for a network whose sandboxes use it (routed,
   * masqueraded, isolated from other networks); none for an internal network, which has no egress.
   */
  public Optional<RoutedNetwork> routed(NetworkInfo n) {
    return n.internal() ? Optional.empty() : Optional.of(new RoutedNetwork(NAME, List.of(subnet), false, true));
  }

  /** Where the endpoint's published ports go: its gwbridge address, if it has one. */
  public Optional<RoutedNetwork.Target> publishTarget(String endpointKey) {
    return address(endpointKey).map(ip -> new RoutedNetwork.Target(NAME, ip));
  }

  /** The endpoint's gwbridge address, if it has one (for publishing its ports). */
  public synchronized Optional<IpAddress> address(String endpointKey) {
    recover();
    return Optional.ofNullable(byEndpoint.get(endpointKey));
  }

  public synchronized void detach(String endpointKey) {
    sandboxes.detach(hostVeth(endpointKey));
    byEndpoint.remove(endpointKey);
  }

  /** Removes the bridge once no overlay endpoint is left on the node. */
  public synchronized void removeIfUnused() {
    if (byEndpoint.isEmpty()) {
      node.link(NAME).filter(Owned::ours).ifPresent(l -> node.deleteLink(NAME));
    }
  }

  private IpAddress addressOf(String key) {
    recover();
    IpAddress have = byEndpoint.get(key);
    if (have != null) {
      return have;
    }
    // Serial allocation, as the operator's IPAM: a released address is not reused before the rest.
    BigInteger first = gateway.address().value().add(BigInteger.ONE);
    BigInteger last = subnet.address().value().add(BigInteger.ONE.shiftLeft(32 - subnet.prefixLength())).subtract(BigInteger.TWO);
    long size = last.subtract(first).longValueExact() + 1;
    var taken = new java.util.HashSet<>(byEndpoint.values());
    for (long i = 0; i < size; i++) {
      cursor = cursor.add(BigInteger.ONE);
      if (cursor.compareTo(last) > 0) {
        cursor = first;
      }
      IpAddress ip = IpAddress.of(4, cursor);
      if (!taken.contains(ip)) {
        byEndpoint.put(key, ip);
        return ip;
      }
    }
    throw new IllegalStateException("the gwbridge subnet " + subnet + " is full on this node");
  }

  /** Reads the allocations back from the marks of the veths a previous run made. */
  private void recover() {
    if (recovered) {
      return;
    }
    for (Link l : node.links()) {
      if (l.alias() != null && l.alias().startsWith(MARK)) {
        String[] parts = l.alias().substring(MARK.length()).split(" ", 2);
        if (parts.length == 2) {
          IpAddress ip = IpAddress.parse(parts[0]);
          byEndpoint.put(parts[1], ip);
          if (ip.value().compareTo(cursor) > 0) {
            cursor = ip.value();
          }
        }
      }
    }
    recovered = true;
  }
}
