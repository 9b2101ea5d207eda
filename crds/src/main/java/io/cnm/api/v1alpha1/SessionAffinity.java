package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the VIP picks a backend: per connection at random (Docker's default), or by the client's
 * address, so that one client keeps one backend while the backends stay the same (protocols that
 * open several connections need it). Named as in Kubernetes Services.
 */
public enum SessionAffinity {
  @JsonProperty("None") NONE,
  @JsonProperty("ClientIP") CLIENT_IP
}
