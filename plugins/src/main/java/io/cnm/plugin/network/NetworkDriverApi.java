package io.cnm.plugin.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Docker's remote network driver protocol: the kind, its calls and their messages. */
public final class NetworkDriverApi {
  private NetworkDriverApi() {}

  public static final String KIND = "NetworkDriver";
  /** The CnmNetwork's free options reach the plugin under this key of CreateNetwork's Options, as Docker's -o do. */
  public static final String GENERIC = "com.docker.network.generic";
  public static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
  public static final String INTERNAL = "com.docker.network.internal";
  public static final String PORT_MAP = "com.docker.network.portmap";
  public static final String EXPOSED_PORTS = "com.docker.network.endpoint.exposedports";
  /** DiscoveryType of node discovery (libnetwork's discoverapi.NodeDiscovery). */
  public static final int NODE_DISCOVERY = 1;

  public record Capabilities(@JsonProperty("Scope") String scope, @JsonProperty("ConnectivityScope") String connectivityScope) {
    public boolean global() {
      return "global".equals(scope);
    }
  }

  /** One pool of the network as IPAM gave it: subnet, gateway and aux addresses in CIDR form. */
  public record IpamData(@JsonProperty("AddressSpace") String addressSpace, @JsonProperty("Pool") String pool,
      @JsonProperty("Gateway") String gateway, @JsonProperty("AuxAddresses") Map<String, String> auxAddresses) {}

  public record AllocateNetwork(@JsonProperty("NetworkID") String networkId, @JsonProperty("Options") Map<String, String> options,
      @JsonProperty("IPv4Data") List<IpamData> ipv4Data, @JsonProperty("IPv6Data") List<IpamData> ipv6Data) {}

  public record AllocateNetworkAnswer(@JsonProperty("Options") Map<String, String> options) {}

  public record NetworkId(@JsonProperty("NetworkID") String networkId) {}

  public record CreateNetwork(@JsonProperty("NetworkID") String networkId, @JsonProperty("Options") Map<String, Object> options,
      @JsonProperty("IPv4Data") List<IpamData> ipv4Data, @JsonProperty("IPv6Data") List<IpamData> ipv6Data) {}

  public record Interface(@JsonProperty("Address") String address, @JsonProperty("AddressIPv6") String addressIpv6,
      @JsonProperty("MacAddress") String macAddress) {}

  public record CreateEndpoint(@JsonProperty("NetworkID") String networkId, @JsonProperty("EndpointID") String endpointId,
      @JsonProperty("Interface") Interface iface, @JsonProperty("Options") Map<String, Object> options) {}

  public record CreateEndpointAnswer(@JsonProperty("Interface") Interface iface) {}

  /** The request of DeleteEndpoint, EndpointOperInfo, Leave and RevokeExternalConnectivity. */
  public record EndpointRef(@JsonProperty("NetworkID") String networkId, @JsonProperty("EndpointID") String endpointId) {}

  public record OperInfoAnswer(@JsonProperty("Value") Map<String, Object> value) {}

  public record Join(@JsonProperty("NetworkID") String networkId, @JsonProperty("EndpointID") String endpointId,
      @JsonProperty("SandboxKey") String sandboxKey, @JsonProperty("Options") Map<String, Object> options) {}

  public record InterfaceName(@JsonProperty("SrcName") String srcName, @JsonProperty("DstPrefix") String dstPrefix,
      @JsonProperty("DstName") String dstName) {}

  /** RouteType 0: through NextHop; 1: the destination is on the link (connected). */
  public record StaticRoute(@JsonProperty("Destination") String destination, @JsonProperty("RouteType") int routeType,
      @JsonProperty("NextHop") String nextHop) {}

  public record JoinAnswer(@JsonProperty("InterfaceName") InterfaceName interfaceName, @JsonProperty("Gateway") String gateway,
      @JsonProperty("GatewayIPv6") String gatewayIpv6, @JsonProperty("StaticRoutes") List<StaticRoute> staticRoutes,
      @JsonProperty("DisableGatewayService") boolean disableGatewayService) {}

  public record ProgramExternalConnectivity(@JsonProperty("NetworkID") String networkId, @JsonProperty("EndpointID") String endpointId,
      @JsonProperty("Options") Map<String, Object> options) {}

  /** A published port as libnetwork's types.PortBinding marshals it (Proto 6 tcp, 17 udp, 132 sctp). */
  public record PortBinding(@JsonProperty("Proto") int proto, @JsonProperty("IP") String ip, @JsonProperty("Port") int port,
      @JsonProperty("HostIP") String hostIp, @JsonProperty("HostPort") int hostPort, @JsonProperty("HostPortEnd") int hostPortEnd) {}

  public record TransportPort(@JsonProperty("Proto") int proto, @JsonProperty("Port") int port) {}

  public record Discovery(@JsonProperty("DiscoveryType") int discoveryType, @JsonProperty("DiscoveryData") NodeData discoveryData) {}

  /** libnetwork's discoverapi.NodeDiscoveryData. */
  public record NodeData(@JsonProperty("Address") String address, @JsonProperty("BindAddress") String bindAddress,
      @JsonProperty("Self") boolean self) {}

  /** IANA protocol numbers, as types.Protocol is marshalled. */
  public static int protocolNumber(String protocol) {
    switch (protocol == null ? "tcp" : protocol.toLowerCase(java.util.Locale.ROOT)) {
      case "udp":
        return 17;
      case "sctp":
        return 132;
      default:
        return 6;
    }
  }
}
