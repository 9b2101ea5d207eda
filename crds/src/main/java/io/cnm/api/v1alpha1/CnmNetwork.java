package io.cnm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Network: a collection of endpoints that have connectivity between them (seed: "CNM Constructs"). */
@Group(CnmNetwork.GROUP)
@Version(CnmNetwork.VERSION)
@Kind("CnmNetwork")
@Plural("cnmnetworks")
@ShortNames("cnet")
@AdditionalPrinterColumn(name = "NETWORK ID", jsonPath = ".status.networkId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "DRIVER", jsonPath = ".spec.driver", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "SCOPE", jsonPath = ".status.scope", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "SUBNET", jsonPath = ".status.subnets[0]", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "REASON", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CnmNetwork extends CustomResource<CnmNetworkSpec, CnmNetworkStatus> implements Namespaced {
  public static final String GROUP = "cnm.io";
  public static final String VERSION = "v1alpha1";
}
