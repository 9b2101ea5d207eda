package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The overlay driver's options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OverlayOptions {
  @JsonPropertyDescription("VXLAN network identifier; allocated from 4096 up when not given.")
  @Min(1)
  @Max(16777215)
  private Integer vni;

  @JsonPropertyDescription("Encrypt traffic between nodes on this network (Docker's --opt encrypted).")
  @Default("false")
  private Boolean encrypted = false;

  @JsonPropertyDescription("MTU of the overlay; 1450 (underlay 1500 minus VXLAN's 50 bytes) when not given.")
  @Min(68)
  @Max(65535)
  private Integer mtu;

  public Integer getVni() { return vni; }
  public void setVni(Integer vni) { this.vni = vni; }
  public Boolean getEncrypted() { return encrypted; }
  public void setEncrypted(Boolean encrypted) { this.encrypted = encrypted; }
  public Integer getMtu() { return mtu; }
  public void setMtu(Integer mtu) { this.mtu = mtu; }
}
