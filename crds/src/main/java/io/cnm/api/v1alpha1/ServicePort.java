package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A port the service answers on its VIP, forwarded to targetPort on the backends. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServicePort {
  @JsonPropertyDescription("Name of the port.")
  @Size(max = 15)
  @Pattern(Patterns.PORT_NAME)
  private String name;

  @JsonPropertyDescription("tcp, udp or sctp.")
  @Default("tcp")
  private Protocol protocol = Protocol.TCP;

  @JsonPropertyDescription("Port on the VIP.")
  @Required
  @Min(1)
  @Max(65535)
  private Integer port;

  @JsonPropertyDescription("Port on the backends; the same as port when not given.")
  @Min(1)
  @Max(65535)
  private Integer targetPort;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public Protocol getProtocol() { return protocol; }
  public void setProtocol(Protocol protocol) { this.protocol = protocol; }
  public Integer getPort() { return port; }
  public void setPort(Integer port) { this.port = port; }
  public Integer getTargetPort() { return targetPort; }
  public void setTargetPort(Integer targetPort) { this.targetPort = targetPort; }
}
