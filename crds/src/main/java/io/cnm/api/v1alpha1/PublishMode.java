package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Seed: "Ingress Mode Service Publishing" and "Host Mode Service Publishing". */
public enum PublishMode {
  @JsonProperty("ingress") INGRESS,
  @JsonProperty("host") HOST
}
