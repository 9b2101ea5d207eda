package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Seed: "Network Scope". Docker's swarm scope is called cluster here. */
public enum Scope {
  @JsonProperty("local") LOCAL,
  @JsonProperty("cluster") CLUSTER;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
