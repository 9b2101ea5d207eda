package io.cnm.daemon.driver.bridge;

import io.cnm.api.net.Cidr;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Owned;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.netlink.Link;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.sandbox.VethPort;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's bridge driver on one node (seed: "Docker Bridge Network Driver"): a Linux bridge per
 * network holding the gateway address, a veth per endpoint with the node side on the bridge
 * (named {@code cnm<hash>}, so a restarted daemon finds its own) and the other side created
 * directly inside the sandbox with its name and MAC. Filtering (isolation, masquerade,
 * publishing) is not here: the agent renders one nftables ruleset for the whole node.
 */
public final class BridgeDriver implements Driver {
  /** Prefix of the node-side veths this driver creates. */
  public static final String VETH_PREFIX = "cnm";
  /** Option labels this driver reads (filled from spec.bridge). */
  public static final String NAME = "bridge.name";
  public static final String ICC = "bridge.enableIcc";
  public static final String MASQUERADE = "bridge.enableIpMasquerade";

  private final Sandboxes sandboxes;
  private final Netlink node;

  public BridgeDriver(Sandboxes sandboxes) {
    this.sandboxes = sandboxes;
    this.node = sandboxes.node();
  }

  @Override
  public String name() {
    return "bridge";
  }

  /** The network's Linux bridge: spec.bridge.bridgeName or br-&lt;network id&gt;. */
  public static String bridgeName(NetworkInfo network) {
    return network.option(NAME, "br-" + network.networkId());
  }

  @Override
  public void ensureNetwork(NetworkInfo network) {
    ensureBridge(node, bridgeName(network), network.mtu(), Owned.mark(network.key()), network.gateways());
  }

  /** A marked, raised bridge with these addresses; shared with the overlay driver's bridges and the gwbridge. */
  public static void ensureBridge(Netlink node, String br, int mtu, String mark, List<Cidr> addresses) {
    Optional<Link> existing = node.link(br);
    boolean up = existing.map(Link::up).orElse(false);
    if (existing.isEmpty()) {
      node.addBridge(br, mtu);
      node.setAlias(br, mark);
    } else if (mtu > 0 && existing.get().mtu() != mtu) {
      node.setMtu(br, mtu);
    }
    if (!addresses.isEmpty()) {
      Set<Cidr> have = Set.copyOf(node.addresses(br));
      for (Cidr a : addresses) {
        if (!have.contains(a)) {
          node.addAddress(br, a);
        }
      }
    }
    if (!up) {
      node.setUp(br, true);
    }
  }

  @Override
  public void removeNetwork(NetworkInfo network) {
    node.link(bridgeName(network)).filter(Owned::ours).ifPresent(l -> node.deleteLink(l.name()));
  }

  /** The node-side veth name of an endpoint: stable, at most 15 characters. */
  public static String hostVeth(String endpointKey) {
    return VETH_PREFIX + Ids.shortHash(endpointKey, 11);
  }

  @Override
  public String join(NetworkInfo network, EndpointInfo ep) {
    return sandboxes.attach(new VethPort(hostVeth(ep.key()), Owned.mark(ep.key()), bridgeName(network), ep.netnsPath(),
        ep.interfaceName(), ep.mac(), ep.ipv4(), network.mtu(), !network.flag(ICC, true),
        network.internal() ? null : ep.gateway()));
  }

  @Override
  public void leave(NetworkInfo network, EndpointInfo ep) {
    sandboxes.detach(hostVeth(ep.key()));
  }

  @Override
  public Set<String> nodeLinks(NetworkInfo network, EndpointInfo endpoint) {
    return endpoint == null ? Set.of(bridgeName(network)) : Set.of(hostVeth(endpoint.key()));
  }

  @Override
  public Optional<RoutedNetwork> routed(NetworkInfo network) {
    return Optional.of(new RoutedNetwork(bridgeName(network), network.subnets(), network.internal(), network.flag(MASQUERADE, true)));
  }

  @Override
  public Optional<RoutedNetwork.Target> publishTarget(NetworkInfo network, EndpointInfo endpoint) {
    return network.internal() || endpoint.ipv4() == null ? Optional.empty()
        : Optional.of(new RoutedNetwork.Target(bridgeName(network), endpoint.ipv4().address()));
  }
}
