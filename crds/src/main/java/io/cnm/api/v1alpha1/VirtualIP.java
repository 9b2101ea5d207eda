package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A service's VIP on one network, as {@code docker service inspect} shows under Endpoint.VirtualIPs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VirtualIP {
  @JsonPropertyDescription("Network name.")
  private String network;
  @JsonPropertyDescription("Address with prefix length, e.g. 10.0.0.2/24.")
  private String address;

  public VirtualIP() {}

  public VirtualIP(String network, String address) {
    this.network = network;
    this.address = address;
  }

  public String getNetwork() { return network; }
  public void setNetwork(String network) { this.network = network; }
  public String getAddress() { return address; }
  public void setAddress(String address) { this.address = address; }
}
