package io.cnm.operator.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.IpamConfig;
import io.cnm.operator.error.CnmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random allocate / static claim / release / VIP / operator-restart sequences against a model of
 * what the statuses would hold. After every step: no address is held twice in one address space
 * (no duplicates) and the IPAM holds exactly what the statuses say (no leaks, nothing lost).
 * 10 tries x 1,000 operations. Networks are small (/27, /28) so exhaustion is reached often.
 */
class IpamPropertiesTest {
  static final List<String> NODES = List.of("n1", "n2", "n3");

  /** What statuses would record: owner -> (network, node, address). */
  record Held(String network, String node, String address, boolean vip) {}

  @Property(tries = 10)
  void randomOperations_neverDuplicateNorLeak(@ForAll long seed) {
    Random rnd = new Random(seed);
    Map<String, CnmNetworkSpec> specs = Map.of("ns/cluster", overlay("10.9.0.0/27"), "ns/local", bridge("10.8.0.0/28"));
    Ipam ipam = fresh(specs);
    Map<String, Held> status = new HashMap<>();
    for (int step = 0; step < 1000; step++) {
      int op = rnd.nextInt(100);
      String network = rnd.nextBoolean() ? "ns/cluster" : "ns/local";
      String node = NODES.get(rnd.nextInt(NODES.size()));
      String owner = "ep" + rnd.nextInt(60);
      try {
        if (op < 45) {
          if (!status.containsKey(owner)) {
            var a = ipam.allocateEndpoint(network, owner, node, null, null);
            status.put(owner, new Held(network, node, a.ipv4().address().toString(), false));
          }
        } else if (op < 55) {
          if (!status.containsKey(owner)) {
            String base = network.equals("ns/cluster") ? "10.9.0." : "10.8.0.";
            String ip = base + (2 + rnd.nextInt(14));
            ipam.allocateEndpoint(network, owner, node, ip, null);
            status.put(owner, new Held(network, node, ip, false));
          }
        } else if (op < 60) {
          String svc = "svc" + rnd.nextInt(4);
          if (!status.containsKey(svc + network)) {
            var vip = ipam.allocateVip(network, svc);
            status.put(svc + network, new Held(network, null, vip.address().toString(), true));
          }
        } else if (op < 90) {
          Held h = status.remove(owner);
          if (h != null) {
            assertThat(ipam.releaseEndpoint(h.network(), owner)).isTrue();
          }
        } else {
          ipam = restart(specs, status);
        }
      } catch (CnmException.Conflict | CnmException.InvalidConfig expected) {
        // Exhausted pool or a static address in use: refused, and nothing may have changed.
      }
      check(ipam, status);
    }
  }

  private static void check(Ipam ipam, Map<String, Held> status) {
    assertThat(ipam.leakedAddresses()).as("addresses marked used that nobody holds").isZero();
    Map<String, Map<String, Map<String, IpAddress>>> all = ipam.allocations();
    for (var network : all.entrySet()) {
      for (var space : network.getValue().entrySet()) {
        Set<IpAddress> seen = new HashSet<>();
        for (IpAddress ip : space.getValue().values()) {
          assertThat(seen.add(ip)).as("duplicate %s in %s/%s", ip, network.getKey(), space.getKey()).isTrue();
        }
      }
    }
    // Every endpoint in status holds its address in its space; every held endpoint address is in status.
    Map<String, String> expected = new HashMap<>();
    status.forEach((owner, h) -> {
      if (!h.vip()) {
        String space = h.network().equals("ns/cluster") ? "" : h.node();
        expected.put(h.network() + "|" + space + "|" + owner, h.address());
      }
    });
    Map<String, String> actual = new HashMap<>();
    all.forEach((net, spaces) -> spaces.forEach((space, owners) -> owners.forEach((owner, ip) -> {
      if (!owner.startsWith("svc")) {
        actual.put(net + "|" + space + "|" + owner, ip.toString());
      }
    })));
    assertThat(actual).isEqualTo(expected);
  }

  private static Ipam fresh(Map<String, CnmNetworkSpec> specs) {
    Ipam ipam = Ipam.withDockerDefaults();
    specs.forEach(ipam::allocateNetwork);
    return ipam;
  }

  /** A new operator: rebuilt from statuses only, networks first, then VIPs, then endpoints. */
  private static Ipam restart(Map<String, CnmNetworkSpec> specs, Map<String, Held> status) {
    Ipam ipam = Ipam.withDockerDefaults();
    specs.forEach((k, s) -> {
      String subnet = s.getIpam().getConfig().get(0).getSubnet();
      ipam.restoreNetwork(k, s, List.of(subnet), List.of(Ipam.firstUsable(io.cnm.api.net.Cidr.parse(subnet)).toString()),
          s.getDriver().equals("overlay") ? 4096 : null);
    });
    List<Map.Entry<String, Held>> entries = new ArrayList<>(status.entrySet());
    entries.stream().filter(e -> e.getValue().vip()).forEach(e -> ipam.restoreVip(e.getValue().network(),
        e.getKey().substring(0, e.getKey().indexOf("ns/")), e.getValue().address() + "/32"));
    entries.stream().filter(e -> !e.getValue().vip()).forEach(e -> ipam.restoreEndpoint(e.getValue().network(), e.getKey(),
        e.getValue().node(), e.getValue().address() + "/32", null));
    return ipam;
  }

  static CnmNetworkSpec bridge(String subnet) {
    CnmNetworkSpec s = new CnmNetworkSpec();
    io.cnm.api.v1alpha1.Ipam i = new io.cnm.api.v1alpha1.Ipam();
    i.setConfig(List.of(new IpamConfig(subnet)));
    s.setIpam(i);
    return s;
  }

  static CnmNetworkSpec overlay(String subnet) {
    CnmNetworkSpec s = bridge(subnet);
    s.setDriver("overlay");
    return s;
  }
}
