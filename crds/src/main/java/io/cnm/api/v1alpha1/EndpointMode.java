package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a service's name resolves: to one VIP, or to every backend (DNS round robin). */
public enum EndpointMode {
  @JsonProperty("vip") VIP,
  @JsonProperty("dnsrr") DNSRR
}
