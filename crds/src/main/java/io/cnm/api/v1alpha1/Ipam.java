package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.cnm.api.crd.MapValueLength;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** Docker's IPAM block: driver, pools (config) and driver options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Ipam {
  public static final String DEFAULT_DRIVER = "default";

  @JsonPropertyDescription("IPAM driver: default (the built-in one) or the name of a remote IPAM plugin.")
  @Default(DEFAULT_DRIVER)
  @Size(max = 128)
  @Pattern(Patterns.DRIVER_NAME)
  private String driver = DEFAULT_DRIVER;

  @JsonPropertyDescription("Address pools. Empty: the next free pool of the default pools is allocated.")
  @Size(max = 4)
  @ValidationRule(value = "self.all(a, !has(a.subnet) || !isCIDR(a.subnet) || self.exists_one(b, has(b.subnet) && isCIDR(b.subnet)"
      + " && (cidr(a.subnet).containsCIDR(b.subnet) || cidr(b.subnet).containsCIDR(a.subnet))))",
      message = Messages.SUBNETS_OVERLAP)
  private List<IpamConfig> config;

  @JsonPropertyDescription("IPAM driver options.")
  @Size(max = 64)
  @MapValueLength(1024)
  private Map<String, String> options;

  public String getDriver() { return driver; }
  public void setDriver(String driver) { this.driver = driver; }
  public List<IpamConfig> getConfig() { return config; }
  public void setConfig(List<IpamConfig> config) { this.config = config; }
  public Map<String, String> getOptions() { return options; }
  public void setOptions(Map<String, String> options) { this.options = options; }
}
