package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.cnm.api.crd.MapValueLength;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** One pool of a network: subnet, the sub-range to allocate from, gateway and reserved addresses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.subnet) || (!has(self.ipRange) && !has(self.gateway) && !has(self.auxAddresses))",
    message = Messages.RANGE_NEEDS_SUBNET)
@ValidationRule(value = "!has(self.ipRange) || !has(self.subnet) || !isCIDR(self.ipRange) || !isCIDR(self.subnet)"
    + " || cidr(self.subnet).containsCIDR(self.ipRange)", message = Messages.IP_RANGE_IN_SUBNET)
@ValidationRule(value = "!has(self.gateway) || !has(self.subnet) || !isIP(self.gateway) || !isCIDR(self.subnet)"
    + " || cidr(self.subnet).containsIP(self.gateway)", message = Messages.GATEWAY_IN_SUBNET)
@ValidationRule(value = "!has(self.gateway) || !has(self.subnet) || !isIP(self.gateway) || !isCIDR(self.subnet)"
    + " || ip(self.gateway) != cidr(self.subnet).masked().ip()", message = Messages.GATEWAY_NOT_NETWORK_ADDRESS)
@ValidationRule(value = "!has(self.auxAddresses) || !has(self.subnet) || !isCIDR(self.subnet)"
    + " || self.auxAddresses.all(k, !isIP(self.auxAddresses[k]) || cidr(self.subnet).containsIP(self.auxAddresses[k]))",
    message = Messages.AUX_IN_SUBNET)
public class IpamConfig {
  @JsonPropertyDescription("Subnet in CIDR form, written as its network address, e.g. 10.1.0.0/24.")
  @Size(max = 43)
  @ValidationRule(value = "isCIDR(self)", message = Messages.SUBNET_CIDR)
  @ValidationRule(value = "!isCIDR(self) || cidr(self).ip() == cidr(self).masked().ip()", message = Messages.SUBNET_NETWORK_ADDRESS)
  private String subnet;

  @JsonPropertyDescription("Allocate endpoint addresses only from this sub-range of the subnet (Docker's --ip-range).")
  @Size(max = 43)
  @ValidationRule(value = "isCIDR(self)", message = Messages.IP_RANGE_CIDR)
  private String ipRange;

  @JsonPropertyDescription("Gateway address; the first usable address of the subnet when not given.")
  @Size(max = 45)
  @ValidationRule(value = "isIP(self)", message = Messages.GATEWAY_IP)
  private String gateway;

  @JsonPropertyDescription("Addresses the IPAM must never hand out, by name (Docker's --aux-address name=ip).")
  @Size(max = 64)
  @ValidationRule(value = "self.all(k, isIP(self[k]))", message = Messages.AUX_IP)
  @MapValueLength(45)
  private Map<String, String> auxAddresses;

  public IpamConfig() {}

  public IpamConfig(String subnet) { this.subnet = subnet; }

  public String getSubnet() { return subnet; }
  public void setSubnet(String subnet) { this.subnet = subnet; }
  public String getIpRange() { return ipRange; }
  public void setIpRange(String ipRange) { this.ipRange = ipRange; }
  public String getGateway() { return gateway; }
  public void setGateway(String gateway) { this.gateway = gateway; }
  public Map<String, String> getAuxAddresses() { return auxAddresses; }
  public void setAuxAddresses(Map<String, String> auxAddresses) { this.auxAddresses = auxAddresses; }
}
