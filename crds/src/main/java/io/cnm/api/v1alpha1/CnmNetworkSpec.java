package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.cnm.api.crd.MapValueLength;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** What {@code docker network create} takes: driver, scope, IPAM and driver options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.scope) || self.scope != 'local' || self.driver != 'overlay'",
    message = Messages.OVERLAY_IS_CLUSTER_SCOPED)
@ValidationRule(value = "!(self.driver in ['host', 'null']) || !has(self.scope) || self.scope == 'local'",
    message = Messages.HOST_NULL_LOCAL)
@ValidationRule(value = "!(self.driver in ['host', 'null']) || !has(self.ipam) || !has(self.ipam.config) || size(self.ipam.config) == 0",
    message = Messages.HOST_NULL_NO_IPAM)
@ValidationRule(value = "!has(self.bridge) || self.driver == 'bridge'", message = Messages.BRIDGE_OPTIONS_NEED_BRIDGE)
@ValidationRule(value = "!has(self.overlay) || self.driver == 'overlay'", message = Messages.OVERLAY_OPTIONS_NEED_OVERLAY)
@ValidationRule(value = "!has(self.macvlan) || self.driver == 'macvlan'", message = Messages.MACVLAN_OPTIONS_NEED_MACVLAN)
@ValidationRule(value = "self.driver != 'macvlan' || (has(self.macvlan) && has(self.macvlan.parent))",
    message = Messages.MACVLAN_NEEDS_PARENT)
@ValidationRule(value = "!self.ingress || self.driver == 'overlay'", message = Messages.INGRESS_NEEDS_OVERLAY)
@ValidationRule(value = "self.enableIPv6 || !has(self.ipam) || !has(self.ipam.config)"
    + " || self.ipam.config.all(c, !has(c.subnet) || !isCIDR(c.subnet) || cidr(c.subnet).ip().family() == 4)",
    message = Messages.IPV6_NEEDS_ENABLE)
public class CnmNetworkSpec {
  public static final String DEFAULT_DRIVER = "bridge";

  @JsonPropertyDescription("Network driver: bridge, overlay, macvlan, host, null, or the name of a remote driver plugin.")
  @Default(DEFAULT_DRIVER)
  @Size(max = 128)
  @Pattern(Patterns.DRIVER_NAME)
  private String driver = DEFAULT_DRIVER;

  @JsonPropertyDescription("local: the network exists separately on each node (default for bridge and macvlan); "
      + "cluster: one network across all nodes (default for overlay).")
  private Scope scope;

  @JsonPropertyDescription("IP address management: which IPAM driver and which subnets.")
  private Ipam ipam;

  @JsonPropertyDescription("Restrict external access: no egress, no published ports (docker network create --internal).")
  @Default("false")
  private Boolean internal = false;

  @JsonPropertyDescription("Allow endpoints of standalone workloads, not only services, to attach (Docker's --attachable).")
  @Default("false")
  private Boolean attachable = false;

  @JsonPropertyDescription("This network is the routing-mesh ingress network (Docker's --ingress).")
  @Default("false")
  private Boolean ingress = false;

  @JsonPropertyDescription("Enable IPv6 on the network.")
  @Default("false")
  private Boolean enableIPv6 = false;

  @JsonPropertyDescription("Options of the bridge driver.")
  private BridgeOptions bridge;

  @JsonPropertyDescription("Options of the overlay driver.")
  private OverlayOptions overlay;

  @JsonPropertyDescription("Options of the macvlan driver.")
  private MacvlanOptions macvlan;

  @JsonPropertyDescription("Free driver options, passed as they are to a remote driver plugin.")
  @Size(max = 64)
  @MapValueLength(1024)
  private Map<String, String> options;

  public String getDriver() { return driver; }
  public void setDriver(String driver) { this.driver = driver; }
  public Scope getScope() { return scope; }
  public void setScope(Scope scope) { this.scope = scope; }
  public Ipam getIpam() { return ipam; }
  public void setIpam(Ipam ipam) { this.ipam = ipam; }
  public Boolean getInternal() { return internal; }
  public void setInternal(Boolean internal) { this.internal = internal; }
  public Boolean getAttachable() { return attachable; }
  public void setAttachable(Boolean attachable) { this.attachable = attachable; }
  public Boolean getIngress() { return ingress; }
  public void setIngress(Boolean ingress) { this.ingress = ingress; }
  public Boolean getEnableIPv6() { return enableIPv6; }
  public void setEnableIPv6(Boolean enableIPv6) { this.enableIPv6 = enableIPv6; }
  public BridgeOptions getBridge() { return bridge; }
  public void setBridge(BridgeOptions bridge) { this.bridge = bridge; }
  public OverlayOptions getOverlay() { return overlay; }
  public void setOverlay(OverlayOptions overlay) { this.overlay = overlay; }
  public MacvlanOptions getMacvlan() { return macvlan; }
  public void setMacvlan(MacvlanOptions macvlan) { this.macvlan = macvlan; }
  public Map<String, String> getOptions() { return options; }
  public void setOptions(Map<String, String> options) { this.options = options; }

  /** The driver, with Docker's default when none was given. */
  public String driverOrDefault() {
    return driver == null || driver.isEmpty() ? DEFAULT_DRIVER : driver;
  }

  /** The scope in force: the given one, else cluster for overlay and local for every other driver. */
  public Scope effectiveScope() {
    if (scope != null) {
      return scope;
    }
    return Drivers.OVERLAY.equals(driverOrDefault()) ? Scope.CLUSTER : Scope.LOCAL;
  }

  public boolean internalEnabled() { return Boolean.TRUE.equals(internal); }

  public boolean ingressEnabled() { return Boolean.TRUE.equals(ingress); }

  public boolean ipv6Enabled() { return Boolean.TRUE.equals(enableIPv6); }
}
