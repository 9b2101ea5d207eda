package io.cnm.api.validation;

/**
 * Messages of every validation rule of the cnm.io API.
 *
 * <p>The same constant is the {@code message} of a CEL rule in the generated CRD and the message
 * {@link SpecValidator} reports, so a user reads the same words whether the API server or the
 * operator refused the object, and the catalogue tests can tie each rule to its examples.
 */
public final class Messages {
  private Messages() {}

  // CnmNetwork
  public static final String OVERLAY_IS_CLUSTER_SCOPED = "overlay networks are cluster-scoped: scope local is not allowed";
  public static final String HOST_NULL_LOCAL = "host and null networks are local-scoped";
  public static final String HOST_NULL_NO_IPAM = "host and null networks take no IPAM configuration";
  public static final String BRIDGE_OPTIONS_NEED_BRIDGE = "bridge options require driver bridge";
  public static final String OVERLAY_OPTIONS_NEED_OVERLAY = "overlay options require driver overlay";
  public static final String MACVLAN_OPTIONS_NEED_MACVLAN = "macvlan options require driver macvlan";
  public static final String MACVLAN_NEEDS_PARENT = "macvlan networks require macvlan.parent (the host interface to attach to)";
  public static final String INGRESS_NEEDS_OVERLAY = "an ingress network must use the overlay driver";
  public static final String IPV6_NEEDS_ENABLE = "an IPv6 subnet requires enableIPv6: true";
  public static final String SUBNETS_OVERLAP = "the subnets of one network must not overlap";
  public static final String SUBNET_CIDR = "subnet must be a CIDR such as 10.1.0.0/24";
  public static final String SUBNET_NETWORK_ADDRESS = "subnet must be written as its network address (10.1.0.0/24, not 10.1.0.5/24)";
  public static final String IP_RANGE_CIDR = "ipRange must be a CIDR such as 10.1.0.128/25";
  public static final String IP_RANGE_IN_SUBNET = "ipRange must be inside the subnet";
  public static final String GATEWAY_IP = "gateway must be an IP address";
  public static final String GATEWAY_IN_SUBNET = "gateway must be inside the subnet";
  public static final String GATEWAY_NOT_NETWORK_ADDRESS = "gateway cannot be the subnet's network address";
  public static final String RANGE_NEEDS_SUBNET = "every ipRange or gateway must have a corresponding subnet";
  public static final String AUX_IP = "auxAddresses values must be IP addresses";
  public static final String AUX_IN_SUBNET = "auxAddresses must be inside the subnet";
  public static final String HOST_BINDING_IPV4 = "hostBindingIpv4 must be an IPv4 address";

  // CnmEndpoint
  public static final String SANDBOX_ONE_FORM = "sandbox needs exactly one of: pod, or nodeName with netnsPath";
  public static final String SANDBOX_NODE_AND_NETNS = "nodeName and netnsPath must be given together";
  public static final String IPV4_ADDRESS = "ipv4Address must be an IPv4 address";
  public static final String IPV6_ADDRESS = "ipv6Address must be an IPv6 address";
  public static final String MAC_UNICAST = "macAddress must be a unicast address (even first octet)";
  public static final String ALIASES_UNIQUE = "aliases must be unique";
  public static final String HOST_IP = "hostIp must be an IP address";
  public static final String HOST_PORT_ONCE = "a hostPort can be published only once per protocol";

  // CnmService
  public static final String NETWORKS_UNIQUE = "networks must be unique";
  public static final String DNSRR_NO_INGRESS = "endpointMode dnsrr cannot be combined with ingress publishing (use mode host, or endpointMode vip)";
  public static final String PUBLISHED_ONCE = "a published port can be used only once per protocol";
  public static final String PORT_NAMES_UNIQUE = "service port names must be unique";
}
