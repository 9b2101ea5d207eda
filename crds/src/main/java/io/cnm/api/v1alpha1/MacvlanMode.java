package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kernel's MACVLAN modes. */
public enum MacvlanMode {
  @JsonProperty("bridge") BRIDGE,
  @JsonProperty("private") PRIVATE,
  @JsonProperty("vepa") VEPA,
  @JsonProperty("passthru") PASSTHRU
}
