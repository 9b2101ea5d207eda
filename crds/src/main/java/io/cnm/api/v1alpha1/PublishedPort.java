package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A port published outside the cluster (docker service create --publish mode=...,published=...,target=...). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PublishedPort {
  @JsonPropertyDescription("ingress: every node answers (routing mesh); host: only nodes running a backend.")
  @Default("ingress")
  private PublishMode mode = PublishMode.INGRESS;

  @JsonPropertyDescription("tcp, udp or sctp.")
  @Default("tcp")
  private Protocol protocol = Protocol.TCP;

  @JsonPropertyDescription("Port on the nodes; allocated from 30000-32767 when not given, as Docker does.")
  @Min(1)
  @Max(65535)
  private Integer published;

  @JsonPropertyDescription("Port on the backends.")
  @Required
  @Min(1)
  @Max(65535)
  private Integer target;

  public PublishedPort() {}

  public PublishedPort(PublishMode mode, Protocol protocol, Integer published, Integer target) {
    this.mode = mode;
    this.protocol = protocol;
    this.published = published;
    this.target = target;
  }

  /** tcp, udp or sctp, as nft and the gossip spell it. */
  public String protocolOrDefault() {
    return protocol == null ? "tcp" : protocol.wireName();
  }

  public PublishMode modeOrDefault() {
    return mode == null ? PublishMode.INGRESS : mode;
  }

  public PublishMode getMode() { return mode; }
  public void setMode(PublishMode mode) { this.mode = mode; }
  public Protocol getProtocol() { return protocol; }
  public void setProtocol(Protocol protocol) { this.protocol = protocol; }
  public Integer getPublished() { return published; }
  public void setPublished(Integer published) { this.published = published; }
  public Integer getTarget() { return target; }
  public void setTarget(Integer target) { this.target = target; }
}
