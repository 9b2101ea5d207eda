package io.cnm.api.validation;

import static io.cnm.api.validation.Checks.isCidr;
import static io.cnm.api.validation.Checks.isIp;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.BridgeOptions;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmServiceSpec;
import io.cnm.api.v1alpha1.Drivers;
import io.cnm.api.v1alpha1.EndpointMode;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.api.v1alpha1.Patterns;
import io.cnm.api.v1alpha1.PortBinding;
import io.cnm.api.v1alpha1.PublishMode;
import io.cnm.api.v1alpha1.PublishedPort;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.api.v1alpha1.Scope;
import io.cnm.api.v1alpha1.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The CRDs' validation (schema constraints and CEL rules) in Java, for the operator: it answers
 * an invalid spec with {@code Ready=False}, reason {@code InvalidSpec}, where no API server
 * validated the object (the embedded lab's mock server, objects created before a CRD upgrade).
 * Pure; the catalogue tests hold it and the generated CRD to the same verdicts.
 */
public final class SpecValidator {
  private SpecValidator() {}

  public static List<Violation> validate(CnmNetworkSpec spec) {
    Checks c = new Checks();
    if (spec == null) {
      c.required("spec", null);
      return c.result();
    }
    String driver = spec.driverOrDefault();
    c.text("spec.driver", driver, 128, Patterns.DRIVER_NAME);
    boolean hostOrNull = Drivers.HOST.equals(driver) || Drivers.NULL.equals(driver);
    c.rule("spec", !(spec.getScope() == Scope.LOCAL && Drivers.OVERLAY.equals(driver)), Messages.OVERLAY_IS_CLUSTER_SCOPED);
    c.rule("spec", !hostOrNull || spec.getScope() == null || spec.getScope() == Scope.LOCAL, Messages.HOST_NULL_LOCAL);
    List<IpamConfig> configs = spec.getIpam() == null ? null : spec.getIpam().getConfig();
    c.rule("spec", !hostOrNull || configs == null || configs.isEmpty(), Messages.HOST_NULL_NO_IPAM);
    c.rule("spec", spec.getBridge() == null || Drivers.BRIDGE.equals(driver), Messages.BRIDGE_OPTIONS_NEED_BRIDGE);
    c.rule("spec", spec.getOverlay() == null || Drivers.OVERLAY.equals(driver), Messages.OVERLAY_OPTIONS_NEED_OVERLAY);
    c.rule("spec", spec.getMacvlan() == null || Drivers.MACVLAN.equals(driver), Messages.MACVLAN_OPTIONS_NEED_MACVLAN);
    c.rule("spec", !Drivers.MACVLAN.equals(driver) || (spec.getMacvlan() != null && spec.getMacvlan().getParent() != null),
        Messages.MACVLAN_NEEDS_PARENT);
    c.rule("spec", !spec.ingressEnabled() || Drivers.OVERLAY.equals(driver), Messages.INGRESS_NEEDS_OVERLAY);
    c.rule("spec", spec.ipv6Enabled() || configs == null
        || configs.stream().allMatch(cfg -> Cidr.tryParse(cfg.getSubnet()).map(s -> s.family() == 4).orElse(true)),
        Messages.IPV6_NEEDS_ENABLE);
    c.size("spec.options", spec.getOptions(), 64);
    if (spec.getIpam() != null) {
      c.text("spec.ipam.driver", spec.getIpam().getDriver(), 128, Patterns.DRIVER_NAME);
      c.size("spec.ipam.options", spec.getIpam().getOptions(), 64);
      if (configs != null) {
        c.size("spec.ipam.config", configs, 0, 4);
        c.rule("spec.ipam.config", subnetsDisjoint(configs), Messages.SUBNETS_OVERLAP);
        for (int i = 0; i < configs.size(); i++) {
          ipamConfig(c, "spec.ipam.config[" + i + "]", configs.get(i));
        }
      }
    }
    bridge(c, spec.getBridge());
    if (spec.getOverlay() != null) {
      c.range("spec.overlay.vni", spec.getOverlay().getVni(), 1, 16777215);
      c.range("spec.overlay.mtu", spec.getOverlay().getMtu(), 68, 65535);
    }
    if (spec.getMacvlan() != null) {
      c.text("spec.macvlan.parent", spec.getMacvlan().getParent(), 15, Patterns.INTERFACE_NAME);
    }
    return c.result();
  }

  private static boolean subnetsDisjoint(List<IpamConfig> configs) {
    List<Cidr> subnets = configs.stream().map(cfg -> Cidr.tryParse(cfg.getSubnet())).flatMap(Optional::stream).toList();
    for (int i = 0; i < subnets.size(); i++) {
      for (int j = i + 1; j < subnets.size(); j++) {
        if (subnets.get(i).overlaps(subnets.get(j))) {
          return false;
        }
      }
    }
    return true;
  }

  private static void ipamConfig(Checks c, String path, IpamConfig cfg) {
    String subnet = cfg.getSubnet();
    c.text(path + ".subnet", subnet, 43, null);
    c.text(path + ".ipRange", cfg.getIpRange(), 43, null);
    c.text(path + ".gateway", cfg.getGateway(), 45, null);
    c.size(path + ".auxAddresses", cfg.getAuxAddresses(), 64);
    if (subnet != null) {
      c.rule(path + ".subnet", isCidr(subnet), Messages.SUBNET_CIDR);
      c.rule(path + ".subnet", Cidr.tryParse(subnet).map(Cidr::isMasked).orElse(true), Messages.SUBNET_NETWORK_ADDRESS);
    }
    if (cfg.getIpRange() != null) {
      c.rule(path + ".ipRange", isCidr(cfg.getIpRange()), Messages.IP_RANGE_CIDR);
    }
    if (cfg.getGateway() != null) {
      c.rule(path + ".gateway", isIp(cfg.getGateway()), Messages.GATEWAY_IP);
    }
    Map<String, String> aux = cfg.getAuxAddresses();
    if (aux != null) {
      c.rule(path + ".auxAddresses", aux.values().stream().allMatch(Checks::isIp), Messages.AUX_IP);
    }
    c.rule(path, subnet != null || (cfg.getIpRange() == null && cfg.getGateway() == null && aux == null),
        Messages.RANGE_NEEDS_SUBNET);
    Optional<Cidr> net = Cidr.tryParse(subnet);
    if (net.isEmpty()) {
      return;
    }
    Cidr.tryParse(cfg.getIpRange()).ifPresent(r -> c.rule(path, net.get().contains(r), Messages.IP_RANGE_IN_SUBNET));
    IpAddress.tryParse(cfg.getGateway()).ifPresent(gw -> {
      c.rule(path, net.get().contains(gw), Messages.GATEWAY_IN_SUBNET);
      c.rule(path, !gw.equals(net.get().network()), Messages.GATEWAY_NOT_NETWORK_ADDRESS);
    });
    if (aux != null) {
      c.rule(path, aux.values().stream().map(IpAddress::tryParse).flatMap(Optional::stream).allMatch(net.get()::contains),
          Messages.AUX_IN_SUBNET);
    }
  }

  private static void bridge(Checks c, BridgeOptions b) {
    if (b == null) {
      return;
    }
    c.text("spec.bridge.bridgeName", b.getBridgeName(), 15, Patterns.INTERFACE_NAME);
    c.range("spec.bridge.mtu", b.getMtu(), 68, 65535);
    if (b.getHostBindingIpv4() != null) {
      c.text("spec.bridge.hostBindingIpv4", b.getHostBindingIpv4(), 15, null);
      c.rule("spec.bridge.hostBindingIpv4", isIp(b.getHostBindingIpv4(), 4), Messages.HOST_BINDING_IPV4);
    }
  }

  public static List<Violation> validate(CnmEndpointSpec spec) {
    Checks c = new Checks();
    if (spec == null) {
      c.required("spec", null);
      return c.result();
    }
    c.required("spec.network", spec.getNetwork());
    c.text("spec.network", spec.getNetwork(), 253, Patterns.OBJECT_NAME);
    c.required("spec.sandbox", spec.getSandbox());
    Sandbox sb = spec.getSandbox();
    if (sb != null) {
      c.text("spec.sandbox.pod", sb.getPod(), 253, Patterns.OBJECT_NAME);
      c.text("spec.sandbox.nodeName", sb.getNodeName(), 253, Patterns.OBJECT_NAME);
      c.text("spec.sandbox.netnsPath", sb.getNetnsPath(), 4096, Patterns.ABSOLUTE_PATH);
      c.rule("spec.sandbox", (sb.getPod() != null) != (sb.getNodeName() != null || sb.getNetnsPath() != null),
          Messages.SANDBOX_ONE_FORM);
      c.rule("spec.sandbox", (sb.getNodeName() != null) == (sb.getNetnsPath() != null), Messages.SANDBOX_NODE_AND_NETNS);
    }
    if (spec.getIpv4Address() != null) {
      c.text("spec.ipv4Address", spec.getIpv4Address(), 15, null);
      c.rule("spec.ipv4Address", isIp(spec.getIpv4Address(), 4), Messages.IPV4_ADDRESS);
    }
    if (spec.getIpv6Address() != null) {
      c.text("spec.ipv6Address", spec.getIpv6Address(), 45, null);
      c.rule("spec.ipv6Address", isIp(spec.getIpv6Address(), 6), Messages.IPV6_ADDRESS);
    }
    String mac = spec.getMacAddress();
    if (mac != null) {
      c.text("spec.macAddress", mac, 17, Patterns.MAC_ADDRESS);
      c.rule("spec.macAddress", mac.length() >= 2 && Character.digit(mac.charAt(1), 16) >= 0
          && Character.digit(mac.charAt(1), 16) % 2 == 0, Messages.MAC_UNICAST);
    }
    List<String> aliases = spec.getAliases();
    if (aliases != null) {
      c.size("spec.aliases", aliases, 0, 32);
      for (int i = 0; i < aliases.size(); i++) {
        c.text("spec.aliases[" + i + "]", aliases.get(i), 253, Patterns.DNS_NAME);
      }
      c.rule("spec.aliases", Checks.unique(aliases), Messages.ALIASES_UNIQUE);
    }
    c.text("spec.interfaceName", spec.getInterfaceName(), 15, Patterns.INTERFACE_NAME);
    List<PortBinding> ports = spec.getPorts();
    if (ports != null) {
      c.size("spec.ports", ports, 0, 64);
      for (int i = 0; i < ports.size(); i++) {
        PortBinding p = ports.get(i);
        String path = "spec.ports[" + i + "]";
        c.required(path + ".containerPort", p.getContainerPort());
        c.range(path + ".containerPort", p.getContainerPort(), 1, 65535);
        c.range(path + ".hostPort", p.getHostPort(), 1, 65535);
        if (p.getHostIp() != null) {
          c.text(path + ".hostIp", p.getHostIp(), 45, null);
          c.rule(path + ".hostIp", isIp(p.getHostIp()), Messages.HOST_IP);
        }
      }
      c.rule("spec.ports", Checks.unique(ports.stream().filter(p -> p.getHostPort() != null)
          .map(p -> p.getHostPort() + "/" + p.getProtocol()).toList()), Messages.HOST_PORT_ONCE);
    }
    return c.result();
  }

  public static List<Violation> validate(CnmServiceSpec spec) {
    Checks c = new Checks();
    if (spec == null) {
      c.required("spec", null);
      return c.result();
    }
    List<String> networks = spec.getNetworks();
    c.required("spec.networks", networks);
    if (networks != null) {
      c.size("spec.networks", networks, 1, 16);
      for (int i = 0; i < networks.size(); i++) {
        c.text("spec.networks[" + i + "]", networks.get(i), 253, Patterns.OBJECT_NAME);
      }
      c.rule("spec.networks", Checks.unique(networks), Messages.NETWORKS_UNIQUE);
    }
    c.size("spec.selector", spec.getSelector(), 32);
    List<ServicePort> ports = spec.getPorts();
    if (ports != null) {
      c.size("spec.ports", ports, 0, 64);
      for (int i = 0; i < ports.size(); i++) {
        ServicePort p = ports.get(i);
        String path = "spec.ports[" + i + "]";
        c.text(path + ".name", p.getName(), 15, Patterns.PORT_NAME);
        c.required(path + ".port", p.getPort());
        c.range(path + ".port", p.getPort(), 1, 65535);
        c.range(path + ".targetPort", p.getTargetPort(), 1, 65535);
      }
      c.rule("spec.ports", Checks.unique(ports.stream().map(ServicePort::getName).filter(Objects::nonNull).toList()),
          Messages.PORT_NAMES_UNIQUE);
    }
    List<PublishedPort> publish = spec.getPublish();
    if (publish != null) {
      c.size("spec.publish", publish, 0, 64);
      for (int i = 0; i < publish.size(); i++) {
        PublishedPort p = publish.get(i);
        String path = "spec.publish[" + i + "]";
        c.required(path + ".target", p.getTarget());
        c.range(path + ".target", p.getTarget(), 1, 65535);
        c.range(path + ".published", p.getPublished(), 1, 65535);
      }
      c.rule("spec.publish", Checks.unique(publish.stream().filter(p -> p.getPublished() != null)
          .map(p -> p.getPublished() + "/" + p.getProtocol()).toList()), Messages.PUBLISHED_ONCE);
    }
    c.rule("spec", spec.endpointModeOrDefault() != EndpointMode.DNSRR || publish == null
        || publish.stream().noneMatch(p -> p.getMode() != PublishMode.HOST), Messages.DNSRR_NO_INGRESS);
    return c.result();
  }
}
