package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A published port of a standalone endpoint (seed: "External Access for Standalone Containers"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PortBinding {
  @JsonPropertyDescription("Port inside the sandbox.")
  @Required
  @Min(1)
  @Max(65535)
  private Integer containerPort;

  @JsonPropertyDescription("Port on the node; the same as containerPort when not given.")
  @Min(1)
  @Max(65535)
  private Integer hostPort;

  @JsonPropertyDescription("Node address to publish on; all of the node's addresses when not given.")
  @Size(max = 45)
  @ValidationRule(value = "isIP(self)", message = Messages.HOST_IP)
  private String hostIp;

  @JsonPropertyDescription("tcp, udp or sctp.")
  @Default("tcp")
  private Protocol protocol = Protocol.TCP;

  public PortBinding() {}

  public PortBinding(int containerPort, Integer hostPort, Protocol protocol) {
    this.containerPort = containerPort;
    this.hostPort = hostPort;
    this.protocol = protocol;
  }

  public Integer getContainerPort() { return containerPort; }
  public void setContainerPort(Integer containerPort) { this.containerPort = containerPort; }
  public Integer getHostPort() { return hostPort; }
  public void setHostPort(Integer hostPort) { this.hostPort = hostPort; }
  public String getHostIp() { return hostIp; }
  public void setHostIp(String hostIp) { this.hostIp = hostIp; }
  public Protocol getProtocol() { return protocol; }
  public void setProtocol(Protocol protocol) { this.protocol = protocol; }
}
