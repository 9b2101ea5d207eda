package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What {@code docker network connect} takes: network, sandbox, static addresses, aliases, ports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CnmEndpointSpec {
  @JsonPropertyDescription("Name of the CnmNetwork (same namespace) to join.")
  @Required
  @Size(max = 253)
  @Pattern(Patterns.OBJECT_NAME)
  private String network;

  @JsonPropertyDescription("Where the endpoint's interface lives: a pod, or a node's network namespace.")
  @Required
  private Sandbox sandbox;

  @JsonPropertyDescription("Static IPv4 address (Docker's --ip); allocated by IPAM when not given.")
  @Size(max = 15)
  @ValidationRule(value = "isIP(self) && ip(self).family() == 4", message = Messages.IPV4_ADDRESS)
  private String ipv4Address;

  @JsonPropertyDescription("Static IPv6 address (Docker's --ip6).")
  @Size(max = 45)
  @ValidationRule(value = "isIP(self) && ip(self).family() == 6", message = Messages.IPV6_ADDRESS)
  private String ipv6Address;

  @JsonPropertyDescription("Static MAC address; derived from the IPv4 address (02:42:a:b:c:d) when not given.")
  @Pattern(Patterns.MAC_ADDRESS)
  @Size(max = 17)
  @ValidationRule(value = "self.matches('^[0-9a-fA-F][02468aceACE]')", message = Messages.MAC_UNICAST)
  private String macAddress;

  @JsonPropertyDescription("Extra DNS names of this endpoint on its network (Docker's --alias).")
  @Size(max = 32)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = Messages.ALIASES_UNIQUE)
  private List<@Size(max = 253) @Pattern(Patterns.DNS_NAME) String> aliases;

  @JsonPropertyDescription("Interface name inside the sandbox; eth0, eth1, ... in attach order when not given.")
  @Size(max = 15)
  @Pattern(Patterns.INTERFACE_NAME)
  private String interfaceName;

  @JsonPropertyDescription("Ports to publish on the node (Docker's -p hostIp:hostPort:containerPort/protocol).")
  @Size(max = 64)
  @ValidationRule(value = "self.all(p, !has(p.hostPort) || self.exists_one(q, has(q.hostPort) && q.hostPort == p.hostPort"
      + " && q.protocol == p.protocol))", message = Messages.HOST_PORT_ONCE)
  private List<PortBinding> ports;

  public String getNetwork() { return network; }
  public void setNetwork(String network) { this.network = network; }
  public Sandbox getSandbox() { return sandbox; }
  public void setSandbox(Sandbox sandbox) { this.sandbox = sandbox; }
  public String getIpv4Address() { return ipv4Address; }
  public void setIpv4Address(String ipv4Address) { this.ipv4Address = ipv4Address; }
  public String getIpv6Address() { return ipv6Address; }
  public void setIpv6Address(String ipv6Address) { this.ipv6Address = ipv6Address; }
  public String getMacAddress() { return macAddress; }
  public void setMacAddress(String macAddress) { this.macAddress = macAddress; }
  public List<String> getAliases() { return aliases; }
  public void setAliases(List<String> aliases) { this.aliases = aliases; }
  public String getInterfaceName() { return interfaceName; }
  public void setInterfaceName(String interfaceName) { this.interfaceName = interfaceName; }
  public List<PortBinding> getPorts() { return ports; }
  public void setPorts(List<PortBinding> ports) { this.ports = ports; }
}
