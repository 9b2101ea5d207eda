package io.cnm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A service: a name and VIP in front of the endpoints it selects (seed: "Swarm Native Service Discovery"). */
@Group(CnmNetwork.GROUP)
@Version(CnmNetwork.VERSION)
@Kind("CnmService")
@Plural("cnmservices")
@ShortNames("csvc")
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".spec.endpointMode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "VIP", jsonPath = ".status.virtualIPs[0].address", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "BACKENDS", jsonPath = ".status.backends", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "REASON", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CnmService extends CustomResource<CnmServiceSpec, CnmServiceStatus> implements Namespaced {}
