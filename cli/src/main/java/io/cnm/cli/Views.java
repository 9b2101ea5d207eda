package io.cnm.cli;

import static io.cnm.cli.Table.v;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.VirtualIP;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects as Docker's CLI shows its own: {@code ls} tables and {@code inspect} JSON with
 * Docker's field names (Name, Id, Scope, Driver, IPAM.Config, Containers…), plus what cnm adds
 * (the VNI, the node of each endpoint, the Ready condition).
 */
final class Views {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Views() {}

  static void networkLs(List<CnmNetwork> networks, boolean withNamespace, PrintStream out) {
    Table t = new Table(withNamespace, "NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET", "READY");
    for (CnmNetwork n : networks) {
      var st = n.getStatus();
      t.row(n, shortId(st == null ? null : st.getNetworkId()), n.getMetadata().getName(), n.getSpec().driverOrDefault(),
          v(st == null ? null : st.getScope()), st == null || st.getSubnets().isEmpty() ? "-" : String.join(",", st.getSubnets()),
          v(ready(st == null ? null : st.getConditions(), Conditions.READY)));
    }
    t.print(out);
  }

  /** docker network inspect's shape; "Containers" are the network's endpoints, keyed by endpoint name. */
  static Map<String, Object> networkInspect(CnmNetwork n, List<CnmEndpoint> endpoints) {
    var spec = n.getSpec();
    var st = n.getStatus();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", n.getMetadata().getName());
    m.put("Namespace", n.getMetadata().getNamespace());
    m.put("Id", st == null ? null : st.getNetworkId());
    m.put("Created", n.getMetadata().getCreationTimestamp());
    m.put("Scope", st == null ? null : st.getScope());
    m.put("Driver", spec.driverOrDefault());
    m.put("EnableIPv6", Boolean.TRUE.equals(spec.getEnableIPv6()));
    List<Map<String, Object>> config = new ArrayList<>();
    if (st != null) {
      for (int i = 0; i < st.getSubnets().size(); i++) {
        String subnet = st.getSubnets().get(i);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Subnet", subnet);
        c.put("Gateway", i < st.getGateways().size() ? st.getGateways().get(i) : null);
        IpamConfig asked = spec.getIpam() == null || spec.getIpam().getConfig() == null ? null
            : spec.getIpam().getConfig().stream().filter(a -> subnet.equals(a.getSubnet())).findFirst().orElse(null);
        if (asked != null && asked.getIpRange() != null) {
          c.put("IPRange", asked.getIpRange());
        }
        config.add(c);
      }
    }
    Map<String, Object> ipam = new LinkedHashMap<>();
    ipam.put("Driver", spec.getIpam() == null || spec.getIpam().getDriver() == null ? "default" : spec.getIpam().getDriver());
    ipam.put("Config", config);
    m.put("IPAM", ipam);
    m.put("Internal", Boolean.TRUE.equals(spec.getInternal()));
    m.put("Attachable", Boolean.TRUE.equals(spec.getAttachable()));
    m.put("Ingress", Boolean.TRUE.equals(spec.getIngress()));
    if (st != null && st.getVni() != null) {
      m.put("VNI", st.getVni());
    }
    Map<String, Object> containers = new LinkedHashMap<>();
    for (CnmEndpoint e : endpoints) {
      var es = e.getStatus();
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("Name", e.getMetadata().getName());
      c.put("Sandbox", sandbox(e));
      c.put("Node", es == null ? null : es.getNodeName());
      c.put("MacAddress", es == null ? null : es.getMacAddress());
      c.put("IPv4Address", es == null ? null : es.getIpv4Address());
      c.put("IPv6Address", es == null || es.getIpv6Address() == null ? "" : es.getIpv6Address());
      c.put("Ready", ready(es == null ? null : es.getConditions(), Conditions.READY));
      c.put("Realized", ready(es == null ? null : es.getConditions(), Conditions.REALIZED));
      containers.put(e.getMetadata().getName(), c);
    }
    m.put("Containers", containers);
    m.put("Options", spec.getOptions() == null ? Map.of() : spec.getOptions());
    m.put("Labels", n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
    m.put("Status", conditions(st == null ? null : st.getConditions()));
    return m;
  }

  static void serviceLs(List<CnmService> services, boolean withNamespace, PrintStream out) {
    Table t = new Table(withNamespace, "NAME", "MODE", "VIRTUAL IPS", "PORTS", "BACKENDS", "READY");
    for (CnmService s : services) {
      var st = s.getStatus();
      t.row(s, s.getMetadata().getName(), v(s.getSpec().getEndpointMode()).toLowerCase(),
          st == null || st.getVirtualIPs().isEmpty() ? "-" : String.join(",", st.getVirtualIPs().stream().map(Views::vip).toList()),
          ports(st == null || st.getPublishedPorts().isEmpty() ? s.getSpec().getPublish() : st.getPublishedPorts()),
          v(st == null ? null : st.getBackends()), v(ready(st == null ? null : st.getConditions(), Conditions.READY)));
    }
    t.print(out);
  }

  static Map<String, Object> serviceInspect(CnmService s, List<CnmEndpoint> backends) {
    var spec = s.getSpec();
    var st = s.getStatus();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", s.getMetadata().getName());
    m.put("Namespace", s.getMetadata().getNamespace());
    m.put("Networks", spec.getNetworks());
    m.put("Selector", spec.getSelector());
    m.put("EndpointMode", v(spec.getEndpointMode()).toLowerCase());
    m.put("VirtualIPs", st == null ? List.of() : st.getVirtualIPs().stream().map(x -> Map.of("NetworkID", v(x.getNetwork()), "Addr",
        v(x.getAddress()))).toList());
    m.put("Ports", spec.getPorts());
    m.put("PublishedPorts", st == null ? List.of() : st.getPublishedPorts());
    m.put("Backends", backends.stream().map(e -> {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("Name", e.getMetadata().getName());
      b.put("Network", e.getSpec().getNetwork());
      b.put("Node", e.getStatus() == null ? null : e.getStatus().getNodeName());
      b.put("IPv4Address", e.getStatus() == null ? null : e.getStatus().getIpv4Address());
      return b;
    }).toList());
    m.put("Status", conditions(st == null ? null : st.getConditions()));
    return m;
  }

  static void endpointLs(List<CnmEndpoint> endpoints, boolean withNamespace, PrintStream out) {
    Table t = new Table(withNamespace, "NAME", "NETWORK", "SANDBOX", "NODE", "IPV4 ADDRESS", "MAC ADDRESS", "READY", "REALIZED");
    for (CnmEndpoint e : endpoints) {
      var st = e.getStatus();
      t.row(e, e.getMetadata().getName(), e.getSpec().getNetwork(), sandbox(e), v(st == null ? null : st.getNodeName()),
          v(st == null ? null : st.getIpv4Address()), v(st == null ? null : st.getMacAddress()),
          v(ready(st == null ? null : st.getConditions(), Conditions.READY)), v(ready(st == null ? null : st.getConditions(), Conditions.REALIZED)));
    }
    t.print(out);
  }

  static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** pod/NAME, or the named network namespace's path. */
  static String sandbox(CnmEndpoint e) {
    var sb = e.getSpec().getSandbox();
    return sb == null ? "-" : sb.getPod() != null ? "pod/" + sb.getPod() : v(sb.getNetnsPath());
  }

  private static String shortId(String id) {
    return id == null ? "-" : id.substring(0, Math.min(12, id.length()));
  }

  private static String ready(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).map(Condition::getStatus).orElse(null);
  }

  private static List<Map<String, String>> conditions(List<Condition> conditions) {
    return conditions == null ? List.of() : conditions.stream().map(c -> {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("Type", c.getType());
      m.put("Status", c.getStatus());
      m.put("Reason", c.getReason());
      m.put("Message", c.getMessage());
      return m;
    }).toList();
  }

  private static String vip(VirtualIP x) {
    return x.getNetwork() + "=" + x.getAddress();
  }

  private static String ports(List<PublishedPort> ports) {
    if (ports == null || ports.isEmpty()) {
      return "-";
    }
    return String.join(",", ports.stream().map(p -> "*:" + (p.getPublished() == null ? "?" : p.getPublished()) + "->" + p.getTarget()
        + "/" + p.protocolOrDefault()).toList());
  }

  /** Objects sorted by namespace then name, as kubectl lists them. */
  static <T extends HasMetadata> List<T> sorted(List<T> items) {
    List<T> out = new ArrayList<>(items);
    out.sort((a, b) -> {
      int c = Objects.compare(a.getMetadata().getNamespace(), b.getMetadata().getNamespace(), String::compareTo);
      return c != 0 ? c : a.getMetadata().getName().compareTo(b.getMetadata().getName());
    });
    return out;
  }
}
