package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The bridge driver's options (Docker's com.docker.network.bridge.* driver options). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BridgeOptions {
  @JsonPropertyDescription("Name of the Linux bridge; br-<network id> when not given.")
  @Size(max = 15)
  @Pattern(Patterns.INTERFACE_NAME)
  private String bridgeName;

  @JsonPropertyDescription("MTU of the bridge and its veth interfaces.")
  @Min(68)
  @Max(65535)
  private Integer mtu;

  @JsonPropertyDescription("Allow traffic between endpoints of this network (inter-container communication).")
  @Default("true")
  private Boolean enableIcc = true;

  @JsonPropertyDescription("Masquerade egress traffic behind the node's address.")
  @Default("true")
  private Boolean enableIpMasquerade = true;

  @JsonPropertyDescription("Default host address that published ports bind to.")
  @Size(max = 15)
  @ValidationRule(value = "isIP(self) && ip(self).family() == 4", message = Messages.HOST_BINDING_IPV4)
  private String hostBindingIpv4;

  public String getBridgeName() { return bridgeName; }
  public void setBridgeName(String bridgeName) { this.bridgeName = bridgeName; }
  public Integer getMtu() { return mtu; }
  public void setMtu(Integer mtu) { this.mtu = mtu; }
  public Boolean getEnableIcc() { return enableIcc; }
  public void setEnableIcc(Boolean enableIcc) { this.enableIcc = enableIcc; }
  public Boolean getEnableIpMasquerade() { return enableIpMasquerade; }
  public void setEnableIpMasquerade(Boolean enableIpMasquerade) { this.enableIpMasquerade = enableIpMasquerade; }
  public String getHostBindingIpv4() { return hostBindingIpv4; }
  public void setHostBindingIpv4(String hostBindingIpv4) { this.hostBindingIpv4 = hostBindingIpv4; }
}
