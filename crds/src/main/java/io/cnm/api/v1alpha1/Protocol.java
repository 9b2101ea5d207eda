package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Transport protocols a port can be published for. */
public enum Protocol {
  @JsonProperty("tcp") TCP,
  @JsonProperty("udp") UDP,
  @JsonProperty("sctp") SCTP;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
