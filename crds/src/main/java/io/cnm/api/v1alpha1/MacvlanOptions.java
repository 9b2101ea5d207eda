package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The macvlan driver's options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MacvlanOptions {
  @JsonPropertyDescription("Host interface (or sub-interface such as eth0.10) the macvlan children attach to.")
  @Size(max = 15)
  @Pattern(Patterns.INTERFACE_NAME)
  private String parent;

  @JsonPropertyDescription("MACVLAN mode; bridge is Docker's default.")
  @Default("bridge")
  private MacvlanMode mode = MacvlanMode.BRIDGE;

  public String getParent() { return parent; }
  public void setParent(String parent) { this.parent = parent; }
  public MacvlanMode getMode() { return mode; }
  public void setMode(MacvlanMode mode) { this.mode = mode; }
}
