package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The service's VIPs (the operator's decision of record) and how many backends it selects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CnmServiceStatus {
  @JsonPropertyDescription("Generation of the spec this status describes.")
  private Long observedGeneration;
  @JsonPropertyDescription("One virtual IP per network (endpointMode vip).")
  private List<VirtualIP> virtualIPs = new ArrayList<>();
  @JsonPropertyDescription("The published ports as decided: every port has its number (allocated from 30000-32767 when not given).")
  private List<PublishedPort> publishedPorts = new ArrayList<>();
  @JsonPropertyDescription("Number of ready endpoints the selector matches.")
  private Integer backends;
  @JsonPropertyDescription("Ready and other conditions.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public List<VirtualIP> getVirtualIPs() { return virtualIPs; }
  public void setVirtualIPs(List<VirtualIP> virtualIPs) { this.virtualIPs = virtualIPs; }
  public List<PublishedPort> getPublishedPorts() { return publishedPorts; }
  public void setPublishedPorts(List<PublishedPort> publishedPorts) { this.publishedPorts = publishedPorts; }
  public Integer getBackends() { return backends; }
  public void setBackends(Integer backends) { this.backends = backends; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
