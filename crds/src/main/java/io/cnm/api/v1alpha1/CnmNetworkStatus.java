package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the operator decided for a network. Everything it allocates lives here, so a restarted
 * operator rebuilds its allocators from status and never hands out a subnet or VNI twice.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CnmNetworkStatus {
  @JsonPropertyDescription("Generation of the spec this status describes.")
  private Long observedGeneration;
  @JsonPropertyDescription("Network ID: 12 hex digits, like Docker's short IDs.")
  private String networkId;
  @JsonPropertyDescription("Scope in force (the spec's, or the driver's default).")
  private String scope;
  @JsonPropertyDescription("Allocated subnets, one per IPAM pool.")
  private List<String> subnets = new ArrayList<>();
  @JsonPropertyDescription("Gateway of each subnet, in the same order.")
  private List<String> gateways = new ArrayList<>();
  @JsonPropertyDescription("VXLAN network identifier (overlay only).")
  private Integer vni;
  @JsonPropertyDescription("Ready and other conditions.")
  private List<Condition> conditions = new ArrayList<>();
  @JsonPropertyDescription("Ingress network only: each node's address on it, where the routing mesh hands connections between nodes.")
  private Map<String, String> ingressAddresses;
  @JsonPropertyDescription("Remote IPAM driver only: the driver's pool ID of each subnet, in the order of subnets; the operator releases them with the network.")
  private List<String> ipamPools;
  @JsonPropertyDescription("Global-scope remote network driver only: the options its AllocateNetwork returned, given to every node's CreateNetwork; present once allocated (FreeNetwork is called when the network is deleted).")
  private Map<String, String> driverState;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getNetworkId() { return networkId; }
  public void setNetworkId(String networkId) { this.networkId = networkId; }
  public String getScope() { return scope; }
  public void setScope(String scope) { this.scope = scope; }
  public List<String> getSubnets() { return subnets; }
  public void setSubnets(List<String> subnets) { this.subnets = subnets; }
  public List<String> getGateways() { return gateways; }
  public void setGateways(List<String> gateways) { this.gateways = gateways; }
  public Integer getVni() { return vni; }
  public void setVni(Integer vni) { this.vni = vni; }
  public List<Condition> getConditions() { return conditions; }
  public Map<String, String> getIngressAddresses() { return ingressAddresses; }
  public void setIngressAddresses(Map<String, String> ingressAddresses) { this.ingressAddresses = ingressAddresses; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Map<String, String> getDriverState() { return driverState; }
  public void setDriverState(Map<String, String> driverState) { this.driverState = driverState; }
  public List<String> getIpamPools() { return ipamPools; }
  public void setIpamPools(List<String> ipamPools) { this.ipamPools = ipamPools; }
}
