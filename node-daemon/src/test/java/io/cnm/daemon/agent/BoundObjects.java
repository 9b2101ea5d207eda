package io.cnm.daemon.agent;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.MacAddresses;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmNetworkStatus;
import io.cnm.api.v1alpha1.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * API objects as the operator leaves them, for the agent's tests and benchmarks on the mock API
 * server: a bridge network with its allocation in status, and endpoints bound to a node (Ready,
 * address, gateway, IP-derived MAC) in a netns sandbox.
 */
public final class BoundObjects {
  private BoundObjects() {}

  /** A local-scope bridge network with its subnet and gateway allocated. */
  public static void network(KubernetesClient client, String ns, String name, String networkId, String subnet, String gateway) {
    CnmNetwork n = new CnmNetwork();
    n.getMetadata().setName(name);
    n.getMetadata().setNamespace(ns);
    n.setSpec(new CnmNetworkSpec());
    n = client.resource(n).create();
    CnmNetworkStatus st = new CnmNetworkStatus();
    st.setNetworkId(networkId);
    st.setScope("local");
    st.setSubnets(List.of(subnet));
    st.setGateways(List.of(gateway));
    st.setConditions(Conditions.set(null, Conditions.READY, true, "Allocated", ns, 1L));
    n.setStatus(st);
    client.resource(n).updateStatus();
  }

  /** An endpoint of {@code network} bound to {@code node}, its sandbox the namespace at {@code netnsPath}. */
  public static void endpoint(KubernetesClient client, String ns, String name, String network, String node, String netnsPath,
      Cidr address, String gateway, List<String> aliases) {
    bind(client, labelled(client, ns, name, network, node, netnsPath, aliases), node, address, gateway);
  }

  /** An endpoint as the operator's first write leaves it: labelled for {@code node}, not bound yet (no status). */
  public static CnmEndpoint labelled(KubernetesClient client, String ns, String name, String network, String node, String netnsPath,
      List<String> aliases) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace(ns);
    e.getMetadata().setLabels(Map.of(CnmEndpoint.NODE_LABEL, node));
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork(network);
    spec.setSandbox(Sandbox.ofNetns(node, netnsPath));
    if (!aliases.isEmpty()) {
      spec.setAliases(aliases);
    }
    e.setSpec(spec);
    return client.resource(e).create();
  }

  /** The operator's status write on {@code e}: Ready, with the address, gateway and IP-derived MAC. */
  public static void bind(KubernetesClient client, CnmEndpoint e, String node, Cidr address, String gateway) {
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setNodeName(node);
    st.setIpv4Address(address.toString());
    st.setGateway(gateway);
    st.setMacAddress(MacAddresses.fromIpv4(address.address()));
    st.setConditions(Conditions.set(null, Conditions.READY, true, "Bound", e.getMetadata().getNamespace(), 1L));
    e.setStatus(st);
    client.resource(e).updateStatus();
  }
}
