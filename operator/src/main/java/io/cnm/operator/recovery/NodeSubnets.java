package io.cnm.operator.recovery;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.operator.ipam.Ipam;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells the IPAM which subnets the nodes themselves use, so no default pool collides with them.
 * The node-daemon reports a node's interface subnets in the annotation {@code cnm.io/host-subnets};
 * until a node has it, the node's addresses from its status are avoided as single hosts.
 */
@Singleton
public class NodeSubnets {
  public static final String ANNOTATION = "cnm.io/host-subnets";

  private final KubernetesClient client;
  private final Ipam ipam;

  public NodeSubnets(KubernetesClient client, Ipam ipam) {
    this.client = client;
    this.ipam = ipam;
  }

  public void refresh() {
    for (Node node : client.nodes().list().getItems()) {
      ipam.setNodeSubnets(node.getMetadata().getName(), subnetsOf(node));
    }
  }

  static List<Cidr> subnetsOf(Node node) {
    List<Cidr> out = new ArrayList<>();
    String reported = node.getMetadata().getAnnotations() == null ? null : node.getMetadata().getAnnotations().get(ANNOTATION);
    if (reported != null) {
      for (String s : reported.split(",")) {
        Cidr.tryParse(s.trim()).ifPresent(out::add);
      }
      return out;
    }
    if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
      for (NodeAddress a : node.getStatus().getAddresses()) {
        Optional<IpAddress> ip = IpAddress.tryParse(a.getAddress());
        ip.ifPresent(i -> out.add(Cidr.of(i, i.bitLength())));
      }
    }
    return out;
  }
}
