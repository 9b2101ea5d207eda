package io.cnm.daemon.driver.remote;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.Ids;
import io.cnm.daemon.driver.Driver;
import io.cnm.daemon.driver.DriverException;
import io.cnm.daemon.driver.EndpointInfo;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.NodeAddress;
import io.cnm.daemon.driver.RoutedNetwork;
import io.cnm.daemon.driver.overlay.GwBridge;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.sandbox.MovedPort;
import io.cnm.daemon.sandbox.Sandboxes;
import io.cnm.daemon.sandbox.StaticRoute;
import io.cnm.plugin.PluginClient;
import io.cnm.plugin.PluginException;
import io.cnm.plugin.network.NetworkDriverApi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One remote network driver plugin on this node, called as libnetwork calls it:
 * CreateNetwork when the node gets its first endpoint of a network; CreateEndpoint, Join, the
 * interface moved into the sandbox, ProgramExternalConnectivity when the endpoint gives the
 * sandbox its gateway; and back in reverse on leave: RevokeExternalConnectivity, Leave, the
 * interface given back to the node under its SrcName, DeleteEndpoint; DeleteNetwork with the
 * node's last endpoint. DiscoverNew/DiscoverDelete tell it of the cluster's nodes.
 *
 * <p>Each step is written down ({@link RemoteState}) once the plugin confirmed it. A step the
 * plugin cannot be reached for stays pending and {@link #sweep} finishes it later, also after a
 * daemon restart; a step the plugin refuses with its own error on the way down is logged and
 * counted done (asking again would get the same answer), as libnetwork does.
 *
 * <p>When Join names no Gateway and does not set DisableGatewayService, the sandbox gets the
 * gateway service libnetwork gives it: a leg on the node's gwbridge (egress with masquerade,
 * published ports), unless the network is internal.
 */
public final class RemoteDriver implements Driver {
  private static final Logger LOG = Logger.getLogger(RemoteDriver.class);

  private final String name;
  private final PluginClient plugin;
  private final Sandboxes sandboxes;
  private final NetNamespace nodeNamespace;
  private final GwBridge gwbridge;
  private final RemoteState state;
  private final Set<NodeAddress> announced = new HashSet<>();
  private NetworkDriverApi.Capabilities capabilities;

  RemoteDriver(String name, PluginClient plugin, Sandboxes sandboxes, NetNamespace nodeNamespace, GwBridge gwbridge, RemoteState state) {
    this.name = name;
    this.plugin = plugin;
    this.sandboxes = sandboxes;
    this.nodeNamespace = nodeNamespace;
    this.gwbridge = gwbridge;
    this.state = state;
  }

  @Override
  public String name() {
    return name;
  }

  /** The endpoint's ID as the plugin knows it: 64 hex digits, as Docker's, stable for the endpoint on its network. */
  static String endpointId(String endpointKey, String networkId) {
    return Ids.shortHash("endpoint " + endpointKey + " " + networkId, 64);
  }

  /** What the plugin said of itself (GetCapabilities), asked once. */
  public synchronized NetworkDriverApi.Capabilities capabilities() {
    if (capabilities == null) {
      capabilities = call("GetCapabilities", null, NetworkDriverApi.Capabilities.class);
    }
    return capabilities;
  }

  @Override
  public synchronized void ensureNetwork(NetworkInfo n) {
    RemoteState.Net had = state.network(n.key());
    if (had != null && had.networkId().equals(n.networkId())) {
      return;
    }
    if (had != null && !retireNetwork(had)) {
      throw new DriverException(PluginException.UNAVAILABLE, "the earlier network " + n.name() + " (" + had.networkId()
          + ") is still being deleted on plugin " + name, null);
    }
    capabilities();
    Map<String, Object> options = new LinkedHashMap<>();
    options.put(NetworkDriverApi.GENERIC, n.options());
    options.put(NetworkDriverApi.ENABLE_IPV6, n.subnets().stream().anyMatch(c -> c.family() == 6));
    if (n.internal()) {
      options.put(NetworkDriverApi.INTERNAL, true);
    }
    call("CreateNetwork", new NetworkDriverApi.CreateNetwork(n.networkId(), options, ipamData(n, 4), ipamData(n, 6)), Void.class);
    state.put(new RemoteState.Net(n.key(), n.networkId()));
  }

  private static List<NetworkDriverApi.IpamData> ipamData(NetworkInfo n, int family) {
    List<NetworkDriverApi.IpamData> out = new ArrayList<>();
    for (int i = 0; i < n.subnets().size(); i++) {
      Cidr s = n.subnets().get(i);
      if (s.family() == family) {
        Cidr gw = i < n.gateways().size() ? n.gateways().get(i) : null;
        // The native IPAM's address space names, as Docker's default IPAM driver calls them.
        out.add(new NetworkDriverApi.IpamData(n.cluster() ? "GlobalDefault" : "LocalDefault", s.toString(), gw == null ? "" : gw.toString(),
            Map.of()));
      }
    }
    return out;
  }

  @Override
  public synchronized void removeNetwork(NetworkInfo n) {
    RemoteState.Net had = state.network(n.key());
    if (had != null) {
      retireNetwork(had);
    }
  }

  @Override
  public synchronized String join(NetworkInfo n, EndpointInfo ep) {
    RemoteState.Ep e = state.endpoint(ep.key());
    if (e != null && (!e.networkId().equals(n.networkId()) || !e.netnsPath().equals(ep.netnsPath()))) {
      // Another network or a new sandbox: the old endpoint goes first, as libnetwork's leave would.
      if (!retire(e)) {
        throw new DriverException(PluginException.UNAVAILABLE, "the endpoint's earlier attachment is still being removed on plugin "
            + name, null);
      }
      e = null;
    }
    if (e == null) {
      String id = endpointId(ep.key(), n.networkId());
      NetworkDriverApi.CreateEndpointAnswer a = call("CreateEndpoint", new NetworkDriverApi.CreateEndpoint(n.networkId(), id,
          new NetworkDriverApi.Interface(ep.ipv4() == null ? "" : ep.ipv4().toString(), "", ep.mac() == null ? "" : ep.mac()), Map.of()),
          NetworkDriverApi.CreateEndpointAnswer.class);
      String mac = ep.mac();
      if (a != null && a.iface() != null) {
        if (a.iface().address() != null && !a.iface().address().isEmpty() && ep.ipv4() != null
            && !Cidr.parse(a.iface().address()).equals(ep.ipv4())) {
          LOG.warnf("plugin %s answered CreateEndpoint of %s with address %s; the IPAM's %s stays", name, ep.key(),
              a.iface().address(), ep.ipv4());
        }
        if (mac == null && a.iface().macAddress() != null && !a.iface().macAddress().isEmpty()) {
          mac = a.iface().macAddress();
        }
      }
      if (mac == null) {
        throw new DriverException(PluginException.ERROR, "neither the IPAM nor plugin " + name + " gave endpoint " + ep.key()
            + " a MAC address", null);
      }
      e = new RemoteState.Ep(ep.key(), n.key(), n.networkId(), id, ep.netnsPath(), mac, false, null, null);
      state.put(e);
    }
    boolean fresh = !e.joined();
    if (fresh) {
      NetworkDriverApi.JoinAnswer j = call("Join", new NetworkDriverApi.Join(n.networkId(), e.endpointId(), ep.netnsPath(), Map.of()),
          NetworkDriverApi.JoinAnswer.class);
      if (j == null || j.interfaceName() == null || j.interfaceName().srcName() == null || j.interfaceName().srcName().isEmpty()) {
        throw new DriverException(PluginException.ERROR, "plugin " + name + " answered Join of " + ep.key()
            + " without InterfaceName.SrcName: nothing to put into the sandbox", null);
      }
      e = e.withJoin(j);
      state.put(e);
    }
    NetworkDriverApi.JoinAnswer j = e.join();
    String ifname = sandboxes.receive(new MovedPort(j.interfaceName().srcName(), ep.netnsPath(), wantedName(ep, j), e.mac(), ep.ipv4(),
        present(j.gateway()) ? IpAddress.parse(j.gateway()) : null), routes(j));
    if (usesGatewayService(n, j)) {
      gwbridge.ensure();
      gwbridge.attach(ep);
    } else if (present(j.gateway())) {
      programExternalConnectivity(n, ep, e);
    }
    if (fresh) {
      logOperInfo(ep.key(), ifname);
    }
    return ifname;
  }

  private String wantedName(EndpointInfo ep, NetworkDriverApi.JoinAnswer j) {
    if (ep.interfaceName() != null) {
      return ep.interfaceName();
    }
    if (present(j.interfaceName().dstName())) {
      return j.interfaceName().dstName();
    }
    return sandboxes.nextName(ep.netnsPath(), present(j.interfaceName().dstPrefix()) ? j.interfaceName().dstPrefix() : "eth");
  }

  private static List<StaticRoute> routes(NetworkDriverApi.JoinAnswer j) {
    List<StaticRoute> out = new ArrayList<>();
    if (j.staticRoutes() != null) {
      for (NetworkDriverApi.StaticRoute r : j.staticRoutes()) {
        out.add(new StaticRoute(Cidr.parse(r.destination()).masked(), r.routeType() == 1 || !present(r.nextHop()) ? null
            : IpAddress.parse(r.nextHop())));
      }
    }
    return out;
  }

  /** libnetwork's gateway service: no gateway from the plugin, not refused by it, and a network that may reach out. */
  private static boolean usesGatewayService(NetworkInfo n, NetworkDriverApi.JoinAnswer j) {
    return !present(j.gateway()) && !j.disableGatewayService() && !n.internal();
  }

  /** The endpoint gives the sandbox its gateway: the plugin publishes its ports (programmed again when they change). */
  private void programExternalConnectivity(NetworkInfo n, EndpointInfo ep, RemoteState.Ep e) {
    List<NetworkDriverApi.PortBinding> map = new ArrayList<>();
    List<NetworkDriverApi.TransportPort> exposed = new ArrayList<>();
    for (EndpointInfo.Port p : ep.ports()) {
      int proto = NetworkDriverApi.protocolNumber(p.protocol());
      map.add(new NetworkDriverApi.PortBinding(proto, ep.ipv4() == null ? "" : ep.ipv4().address().toString(), p.containerPort(),
          p.hostIp() == null ? "" : p.hostIp().toString(), p.hostPort(), p.hostPort()));
      exposed.add(new NetworkDriverApi.TransportPort(proto, p.containerPort()));
    }
    String key = map.toString();
    if (key.equals(e.programmedPorts())) {
      return;
    }
    if (e.programmedPorts() != null) {
      call("RevokeExternalConnectivity", new NetworkDriverApi.EndpointRef(n.networkId(), e.endpointId()), Void.class);
    }
    Map<String, Object> options = new LinkedHashMap<>();
    options.put(NetworkDriverApi.PORT_MAP, map);
    options.put(NetworkDriverApi.EXPOSED_PORTS, exposed);
    call("ProgramExternalConnectivity", new NetworkDriverApi.ProgramExternalConnectivity(n.networkId(), e.endpointId(), options), Void.class);
    state.put(e.withProgrammed(key));
  }

  @Override
  public synchronized void leave(NetworkInfo n, EndpointInfo ep) {
    RemoteState.Ep e = state.endpoint(ep.key());
    if (e != null) {
      retire(e); // what the plugin cannot be reached for now, sweep finishes
    }
  }

  /** What the plugin reports of an endpoint (EndpointOperInfo: libnetwork's inspect). */
  public synchronized Map<String, Object> operInfo(String endpointKey) {
    RemoteState.Ep e = state.endpoint(endpointKey);
    if (e == null) {
      return Map.of();
    }
    NetworkDriverApi.OperInfoAnswer a = call("EndpointOperInfo", new NetworkDriverApi.EndpointRef(e.networkId(), e.endpointId()),
        NetworkDriverApi.OperInfoAnswer.class);
    return a == null || a.value() == null ? Map.of() : a.value();
  }

  private void logOperInfo(String endpointKey, String ifname) {
    try {
      LOG.infof("endpoint %s joined through plugin %s as %s; the plugin reports %s", endpointKey, name, ifname, operInfo(endpointKey));
    } catch (DriverException e) {
      LOG.debugf("EndpointOperInfo of %s: %s", endpointKey, e.getMessage());
    }
  }

  /**
   * The way down for one endpoint, each step once: RevokeExternalConnectivity, Leave, the
   * interface back to the node, DeleteEndpoint.
   *
   * @return false when the plugin could not be reached; what is done so far is written down
   */
  private boolean retire(RemoteState.Ep e) {
    try {
      if (e.programmedPorts() != null) {
        down("RevokeExternalConnectivity", new NetworkDriverApi.EndpointRef(e.networkId(), e.endpointId()), e.key());
        e = e.withProgrammed(null);
        state.put(e);
      }
      gwbridge.detach(e.key());
      if (e.joined()) {
        down("Leave", new NetworkDriverApi.EndpointRef(e.networkId(), e.endpointId()), e.key());
        sandboxes.giveBack(e.netnsPath(), e.mac(), e.join().interfaceName().srcName(), nodeNamespace);
        e = e.withJoin(null);
        state.put(e);
      }
      down("DeleteEndpoint", new NetworkDriverApi.EndpointRef(e.networkId(), e.endpointId()), e.key());
      state.removeEndpoint(e.key());
      gwbridge.removeIfUnused();
      return true;
    } catch (DriverException x) {
      LOG.warnf("plugin %s: endpoint %s not removed yet (%s); retrying", name, e.key(), x.getMessage());
      return false;
    }
  }

  private boolean retireNetwork(RemoteState.Net net) {
    boolean clean = true;
    for (RemoteState.Ep e : state.endpoints()) {
      if (e.networkKey().equals(net.key())) {
        clean &= retire(e);
      }
    }
    if (!clean) {
      return false;
    }
    try {
      down("DeleteNetwork", new NetworkDriverApi.NetworkId(net.networkId()), net.key());
      state.removeNetwork(net.key());
      return true;
    } catch (DriverException x) {
      LOG.warnf("plugin %s: network %s not deleted yet (%s); retrying", name, net.key(), x.getMessage());
      return false;
    }
  }

  /** A call on the way down: the plugin's own refusal is logged and counted done; unreachable is not. */
  private void down(String method, Object request, String what) {
    try {
      plugin.call(NetworkDriverApi.KIND, method, request, Void.class);
    } catch (PluginException e) {
      if (!e.answered()) {
        throw new DriverException(e.reason(), e.getMessage(), e);
      }
      LOG.warnf("%s of %s: %s (counted done)", method, what, e.getMessage());
    }
  }

  @Override
  public synchronized boolean sweep(Set<String> networkKeys, Set<String> endpointKeys) {
    if (state.isEmpty()) {
      return true;
    }
    boolean clean = true;
    for (RemoteState.Ep e : state.endpoints()) {
      if (!endpointKeys.contains(e.key())) {
        clean &= retire(e);
      }
    }
    for (RemoteState.Net net : state.networks()) {
      if (!networkKeys.contains(net.key()) && !state.hasEndpointsOf(net.key())) {
        clean &= retireNetwork(net);
      }
    }
    return clean;
  }

  @Override
  public synchronized void setNodes(Set<NodeAddress> nodes) {
    for (NodeAddress gone : new ArrayList<>(announced)) {
      if (!nodes.contains(gone)) {
        discover("DiscoverDelete", gone);
      }
    }
    for (NodeAddress n : nodes) {
      if (!announced.contains(n)) {
        discover("DiscoverNew", n);
      }
    }
  }

  private void discover(String method, NodeAddress n) {
    try {
      plugin.call(NetworkDriverApi.KIND, method, new NetworkDriverApi.Discovery(NetworkDriverApi.NODE_DISCOVERY,
          new NetworkDriverApi.NodeData(n.address().toString(), n.self() ? n.address().toString() : "", n.self())), Void.class);
      if (method.equals("DiscoverNew")) {
        announced.add(n);
      } else {
        announced.remove(n);
      }
    } catch (PluginException e) {
      LOG.debugf("plugin %s: %s %s: %s (next pass tries again)", name, method, n.name(), e.getMessage());
    }
  }

  @Override
  public Set<String> nodeLinks(NetworkInfo n, EndpointInfo ep) {
    // The plugin's own links are its business; ours are the gwbridge legs of the gateway service.
    if (ep != null) {
      return gwbridge.address(ep.key()).isPresent() ? Set.of(GwBridge.hostVeth(ep.key())) : Set.of();
    }
    return n.internal() ? Set.of() : Set.of(GwBridge.NAME);
  }

  @Override
  public Optional<RoutedNetwork> routed(NetworkInfo n) {
    return gwbridge.routed(n);
  }

  @Override
  public Optional<RoutedNetwork.Target> publishTarget(NetworkInfo n, EndpointInfo ep) {
    return gwbridge.publishTarget(ep.key());
  }

  private <T> T call(String method, Object request, Class<T> type) {
    try {
      return plugin.call(NetworkDriverApi.KIND, method, request, type);
    } catch (PluginException e) {
      throw new DriverException(e.reason(), e.getMessage(), e);
    }
  }

  private static boolean present(String s) {
    return s != null && !s.isEmpty();
  }
}
