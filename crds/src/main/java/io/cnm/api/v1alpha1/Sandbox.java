package io.cnm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.cnm.api.validation.Messages;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A Sandbox: a container's network stack (seed: "CNM Constructs"). Either a pod in the endpoint's
 * namespace, or a network namespace on a named node for workloads that are not pods.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.pod) != (has(self.nodeName) || has(self.netnsPath))", message = Messages.SANDBOX_ONE_FORM)
@ValidationRule(value = "has(self.nodeName) == has(self.netnsPath)", message = Messages.SANDBOX_NODE_AND_NETNS)
public class Sandbox {
  @JsonPropertyDescription("Name of a pod in the endpoint's namespace.")
  @Size(max = 253)
  @Pattern(Patterns.OBJECT_NAME)
  private String pod;

  @JsonPropertyDescription("Node that holds the network namespace (with netnsPath).")
  @Size(max = 253)
  @Pattern(Patterns.OBJECT_NAME)
  private String nodeName;

  @JsonPropertyDescription("Path of the network namespace on that node, e.g. /var/run/netns/db.")
  @Size(max = 4096)
  @Pattern(Patterns.ABSOLUTE_PATH)
  private String netnsPath;

  public Sandbox() {}

  public static Sandbox ofPod(String pod) {
    Sandbox s = new Sandbox();
    s.pod = pod;
    return s;
  }

  public static Sandbox ofNetns(String nodeName, String netnsPath) {
    Sandbox s = new Sandbox();
    s.nodeName = nodeName;
    s.netnsPath = netnsPath;
    return s;
  }

  public String getPod() { return pod; }
  public void setPod(String pod) { this.pod = pod; }
  public String getNodeName() { return nodeName; }
  public void setNodeName(String nodeName) { this.nodeName = nodeName; }
  public String getNetnsPath() { return netnsPath; }
  public void setNetnsPath(String netnsPath) { this.netnsPath = netnsPath; }
}
