package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Where the endpoint lives and which addresses it holds; the address is the operator's decision of record. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CnmEndpointStatus {
  @JsonPropertyDescription("Generation of the spec this status describes.")
  private Long observedGeneration;
  @JsonPropertyDescription("Node the endpoint is bound to.")
  private String nodeName;
  @JsonPropertyDescription("Allocated IPv4 address with the subnet's prefix length, as docker network inspect shows it (10.0.1.2/24).")
  private String ipv4Address;
  @JsonPropertyDescription("Allocated IPv6 address with prefix length.")
  private String ipv6Address;
  @JsonPropertyDescription("MAC address of the endpoint's interface.")
  private String macAddress;
  @JsonPropertyDescription("Gateway of the endpoint's subnet.")
  private String gateway;
  @JsonPropertyDescription("Interface name inside the sandbox.")
  private String interfaceName;
  @JsonPropertyDescription("Network ID of the network the address was allocated from.")
  private String networkId;
  @JsonPropertyDescription("Ready and other conditions.")
  private List<Condition> conditions = new ArrayList<>();

  public CnmEndpointStatus() {}

  /** A copy (the conditions list shared: conditions are replaced, never changed in place). */
  public CnmEndpointStatus(CnmEndpointStatus o) {
    observedGeneration = o.observedGeneration;
    nodeName = o.nodeName;
    ipv4Address = o.ipv4Address;
    ipv6Address = o.ipv6Address;
    macAddress = o.macAddress;
    gateway = o.gateway;
    interfaceName = o.interfaceName;
    networkId = o.networkId;
    conditions = o.conditions;
  }

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getNodeName() { return nodeName; }
  public void setNodeName(String nodeName) { this.nodeName = nodeName; }
  public String getIpv4Address() { return ipv4Address; }
  public void setIpv4Address(String ipv4Address) { this.ipv4Address = ipv4Address; }
  public String getIpv6Address() { return ipv6Address; }
  public void setIpv6Address(String ipv6Address) { this.ipv6Address = ipv6Address; }
  public String getMacAddress() { return macAddress; }
  public void setMacAddress(String macAddress) { this.macAddress = macAddress; }
  public String getGateway() { return gateway; }
  public void setGateway(String gateway) { this.gateway = gateway; }
  public String getInterfaceName() { return interfaceName; }
  public void setInterfaceName(String interfaceName) { this.interfaceName = interfaceName; }
  public String getNetworkId() { return networkId; }
  public void setNetworkId(String networkId) { this.networkId = networkId; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
