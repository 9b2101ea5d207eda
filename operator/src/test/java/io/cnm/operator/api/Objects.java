package io.cnm.operator.api;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.CnmServiceSpec;
import io.cnm.api.v1alpha1.Ipam;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;

/** Builders for test objects, all in namespace "test". */
final class Objects {
  private Objects() {}

  /** The endpoint's Ready condition, or null (no endpoint, no status yet). */
  static io.fabric8.kubernetes.api.model.Condition ready(CnmEndpoint e) {
    return e == null || e.getStatus() == null ? null
        : io.cnm.api.status.Conditions.find(e.getStatus().getConditions(), io.cnm.api.status.Conditions.READY).orElse(null);
  }

  static CnmNetwork network(String name, String driver, String... subnets) {
    CnmNetwork n = new CnmNetwork();
    n.getMetadata().setName(name);
    n.getMetadata().setNamespace("test");
    CnmNetworkSpec s = new CnmNetworkSpec();
    s.setDriver(driver);
    if (subnets.length > 0) {
      Ipam i = new Ipam();
      i.setConfig(java.util.Arrays.stream(subnets).map(IpamConfig::new).toList());
      s.setIpam(i);
    }
    n.setSpec(s);
    return n;
  }

  static CnmEndpoint netnsEndpoint(String name, String network, String node, String ipv4) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("test");
    CnmEndpointSpec s = new CnmEndpointSpec();
    s.setNetwork(network);
    s.setSandbox(Sandbox.ofNetns(node, "/var/run/netns/" + name));
    s.setIpv4Address(ipv4);
    e.setSpec(s);
    return e;
  }

  static CnmEndpoint podEndpoint(String name, String network, String pod) {
    CnmEndpoint e = netnsEndpoint(name, network, null, null);
    e.getSpec().setSandbox(Sandbox.ofPod(pod));
    return e;
  }

  static Pod pod(String name, String node, String networksAnnotation) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("test")
        .withUid(java.util.UUID.randomUUID().toString()).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("busybox").endContainer().endSpec();
    Pod p = b.build();
    if (networksAnnotation != null) {
      p.getMetadata().setAnnotations(Map.of("cnm.io/networks", networksAnnotation));
    }
    return p;
  }

  static CnmService service(String name, List<String> networks, Map<String, String> selector) {
    CnmService s = new CnmService();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace("test");
    CnmServiceSpec spec = new CnmServiceSpec();
    spec.setNetworks(networks);
    spec.setSelector(selector);
    s.setSpec(spec);
    return s;
  }
}
