package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.cnm.api.crd.MapValueLength;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** What {@code docker service create} takes for networking: networks, endpoint mode, ports, publishing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.endpointMode != 'dnsrr' || !has(self.publish) || self.publish.all(p, p.mode != 'ingress')",
    message = Messages.DNSRR_NO_INGRESS)
public class CnmServiceSpec {
  @JsonPropertyDescription("Networks the service is reachable on; it gets a VIP on each (endpointMode vip).")
  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = Messages.NETWORKS_UNIQUE)
  private List<@Size(max = 253) @Pattern(Patterns.OBJECT_NAME) String> networks;

  @JsonPropertyDescription("Labels of the CnmEndpoints that back this service.")
  @Size(max = 32)
  @MapValueLength(63) // a label value
  private Map<String, String> selector;

  @JsonPropertyDescription("Ports the service answers on its VIP.")
  @Size(max = 64)
  @ValidationRule(value = "self.all(p, !has(p.name) || self.exists_one(q, has(q.name) && q.name == p.name))",
      message = Messages.PORT_NAMES_UNIQUE)
  private List<ServicePort> ports;

  @JsonPropertyDescription("vip: one virtual IP load-balanced over the backends; dnsrr: DNS answers every backend's address.")
  @Default("vip")
  private EndpointMode endpointMode = EndpointMode.VIP;

  @JsonPropertyDescription("Ports published outside the cluster: ingress (routing mesh, every node) or host (only nodes running a backend).")
  @Size(max = 64)
  @ValidationRule(value = "self.all(p, !has(p.published) || self.exists_one(q, has(q.published) && q.published == p.published"
      + " && q.protocol == p.protocol))", message = Messages.PUBLISHED_ONCE)
  private List<PublishedPort> publish;

  @JsonPropertyDescription("None: each connection to the VIP picks a backend at random; ClientIP: a client keeps its backend.")
  @Default("None")
  private SessionAffinity sessionAffinity = SessionAffinity.NONE;

  public List<String> getNetworks() { return networks; }
  public void setNetworks(List<String> networks) { this.networks = networks; }
  public Map<String, String> getSelector() { return selector; }
  public void setSelector(Map<String, String> selector) { this.selector = selector; }
  public List<ServicePort> getPorts() { return ports; }
  public void setPorts(List<ServicePort> ports) { this.ports = ports; }
  public EndpointMode getEndpointMode() { return endpointMode; }
  public void setEndpointMode(EndpointMode endpointMode) { this.endpointMode = endpointMode; }
  public List<PublishedPort> getPublish() { return publish; }
  public void setPublish(List<PublishedPort> publish) { this.publish = publish; }

  public SessionAffinity getSessionAffinity() { return sessionAffinity; }
  public void setSessionAffinity(SessionAffinity sessionAffinity) { this.sessionAffinity = sessionAffinity; }

  public boolean clientIpAffinity() {
    return sessionAffinity == SessionAffinity.CLIENT_IP;
  }

  public EndpointMode endpointModeOrDefault() {
    return endpointMode == null ? EndpointMode.VIP : endpointMode;
  }
}
