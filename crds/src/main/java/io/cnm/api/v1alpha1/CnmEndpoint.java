package io.cnm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An Endpoint: joins a Sandbox to a Network (seed: "CNM Constructs"). */
@Group(CnmNetwork.GROUP)
@Version(CnmNetwork.VERSION)
@Kind("CnmEndpoint")
@Plural("cnmendpoints")
@ShortNames("cep")
@AdditionalPrinterColumn(name = "NETWORK", jsonPath = ".spec.network", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "NODE", jsonPath = ".status.nodeName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IPV4 ADDRESS", jsonPath = ".status.ipv4Address", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MAC ADDRESS", jsonPath = ".status.macAddress", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "REASON", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CnmEndpoint extends CustomResource<CnmEndpointSpec, CnmEndpointStatus> implements Namespaced {
  /** Label the operator sets to the node an endpoint is bound to; each node-daemon watches only its own. */
  public static final String NODE_LABEL = "cnm.io/node";
  /** Label naming the endpoint's network, for selecting a network's endpoints. */
  public static final String NETWORK_LABEL = "cnm.io/network";
  /** Label naming the pod an endpoint was made for (its value: {@link #podLabelValue}). */
  public static final String POD_LABEL = "cnm.io/pod";

  /**
   * The cnm.io/pod label value for a pod: its name, or for a name longer than a label value may be
   * (63 characters) its first 50 characters, a dash and 12 hex digits of its hash.
   */
  public static String podLabelValue(String podName) {
    if (podName.length() <= 63) {
      return podName;
    }
    String head = podName.substring(0, 50).replaceAll("[^A-Za-z0-9]+$", "");
    return head + "-" + Ids.shortHash(podName, 12);
  }
  /**
   * Annotation: the endpoint's weight as a service backend, 0 to 100 (default 1). A backend of
   * weight 2 gets twice the connections of one of weight 1; 0 takes no new connection (draining).
   */
  public static final String WEIGHT_ANNOTATION = "cnm.io/weight";

  /** The weight of {@link #WEIGHT_ANNOTATION}; 1 when absent or not a number from 0 to 100. */
  public int weight() {
    String w = getMetadata().getAnnotations() == null ? null : getMetadata().getAnnotations().get(WEIGHT_ANNOTATION);
    if (w == null) {
      return 1;
    }
    try {
      int n = Integer.parseInt(w.trim());
      return n >= 0 && n <= 100 ? n : 1;
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
