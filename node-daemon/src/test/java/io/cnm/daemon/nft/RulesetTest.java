package io.cnm.daemon.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rendered ruleset, to the letter. Addresses: front 10.10.1.0/24, internal 10.10.3.0/24. */
class RulesetTest {
  @Test
  void twoNetworksAndOnePublishedPort_renderAsOneAtomicReplacement() {
    NodeFirewall fw = new NodeFirewall(
        List.of(new NodeFirewall.Network("br-front", List.of(Cidr.parse("10.10.1.0/24")), false, true),
            new NodeFirewall.Network("br-int", List.of(Cidr.parse("10.10.3.0/24")), true, true)),
        List.of(new NodeFirewall.Published("br-front", "tcp", null, 8000, IpAddress.parse("10.10.1.2"), 5000),
            new NodeFirewall.Published("br-front", "udp", IpAddress.parse("198.18.0.1"), 5353, IpAddress.parse("10.10.1.2"), 53)));
    assertThat(Ruleset.render(fw)).isEqualTo("""
        table inet cnm
        delete table inet cnm
        table inet cnm {
          chain localnet_guard {
            type filter hook prerouting priority raw; policy accept;
            iifname != "lo" ip daddr 127.0.0.0/8 drop
          }
          chain forward {
            type filter hook forward priority filter; policy accept;
            oifname { "br-front", "br-int" } ct state established,related accept
            iifname "br-front" oifname { "br-int" } drop
            oifname "br-front" ct status dnat accept
            oifname "br-front" iifname != "br-front" drop
            iifname "br-int" oifname { "br-front" } drop
            iifname "br-int" oifname != "br-int" drop
            oifname "br-int" iifname != "br-int" drop
          }
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            fib daddr type local tcp dport 8000 dnat ip to 10.10.1.2:5000
            ip daddr 198.18.0.1 udp dport 5353 dnat ip to 10.10.1.2:53
          }
          chain output {
            type nat hook output priority -100; policy accept;
            fib daddr type local tcp dport 8000 dnat ip to 10.10.1.2:5000
            ip daddr 198.18.0.1 udp dport 5353 dnat ip to 10.10.1.2:53
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            ip saddr 10.10.1.0/24 oifname != "br-front" masquerade
            ip saddr 127.0.0.0/8 oifname { "br-front" } masquerade
          }
        }
        """);
  }

  @Test
  void emptyNode_keepsNoTable() {
    // Nothing needs it once the last network has left (helm uninstall leaves no table behind).
    assertThat(Ruleset.render(new NodeFirewall(List.of(), List.of()))).isEqualTo("table inet cnm\ndelete table inet cnm\n");
  }

  @Test
  void oneNetwork_ownsTheTable_withTheGuardFirst() {
    NodeFirewall fw = new NodeFirewall(List.of(new NodeFirewall.Network("br-a", List.of(Cidr.parse("10.1.0.0/24")), false, true)), List.of());
    assertThat(Ruleset.render(fw)).startsWith("table inet cnm\ndelete table inet cnm\ntable inet cnm {\n  chain localnet_guard {");
  }

  @Test
  void servicePorts_meshHandOverBeforeTheEntryRule_hostModeLocalOnly_andHandedConnectionsLeaveMasqueraded() {
    IpAddress me = IpAddress.parse("10.255.0.2");
    NodeFirewall.Slot b1 = new NodeFirewall.Slot("cnm_gwbridge", IpAddress.parse("172.31.240.5"), 8080);
    NodeFirewall.Slot node2 = new NodeFirewall.Slot("ov-ingress", IpAddress.parse("10.255.0.3"), 30080);
    NodeFirewall fw = new NodeFirewall(List.of(), List.of(), List.of(
        new NodeFirewall.ServicePort("tcp", 30080, List.of(b1, node2, node2), "ov-ingress", me, List.of(b1)),
        new NodeFirewall.ServicePort("udp", 30081, List.of(b1), null, null, List.of())));
    String r = Ruleset.render(fw);
    assertThat(r).contains("""
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            iifname "ov-ingress" ip daddr 10.255.0.2 tcp dport 30080 dnat ip to numgen random mod 1 map { 0 : 172.31.240.5 . 8080 }
            fib daddr type local tcp dport 30080 dnat ip to numgen random mod 3 map { 0 : 172.31.240.5 . 8080, 1 : 10.255.0.3 . 30080, \
        2 : 10.255.0.3 . 30080 }
            fib daddr type local udp dport 30081 dnat ip to numgen random mod 1 map { 0 : 172.31.240.5 . 8080 }
          }
          chain output {
            type nat hook output priority -100; policy accept;
            fib daddr type local tcp dport 30080 dnat""");
    assertThat(r).contains("""
            oifname "ov-ingress" ct status dnat masquerade
            ip saddr 127.0.0.0/8 oifname { "cnm_gwbridge" } masquerade
        """);
  }

  @Test
  void encryptedOverlays_markTheirVxlanDatagramsByVni_inARouteHook_andKeepTheTable() {
    NodeFirewall fw = new NodeFirewall(List.of(), List.of(), List.of(), List.of(4097, 4096));
    assertThat(fw.isEmpty()).isFalse();
    assertThat(Ruleset.render(fw)).contains("  chain encrypted_overlays {\n    type route hook output priority mangle; policy accept;\n"
        + "    udp dport 4789 @th,96,24 { 4096, 4097 } meta mark set 0x00004500\n  }\n");
    assertThat(Ruleset.render(new NodeFirewall(List.of(), List.of()))).doesNotContain("encrypted_overlays");
  }

  @Test
  void encryptedOverlays_onTheUserspacePath_dropTheirVxlanLeavingOrArrivingOtherThanThroughTheTunDevice() {
    String r = Ruleset.render(new NodeFirewall(List.of(), List.of(), List.of(), List.of(4096), "cnmesp0"));
    assertThat(r).contains("  chain encrypted_guard_out {\n    type filter hook postrouting priority filter; policy accept;\n"
        + "    udp dport 4789 @th,96,24 { 4096 } oifname != \"cnmesp0\" counter drop\n  }\n");
    assertThat(r).contains("  chain encrypted_guard_in {\n    type filter hook input priority filter; policy accept;\n"
        + "    udp dport 4789 @th,96,24 { 4096 } iifname != \"cnmesp0\" counter drop\n  }\n");
    // The kernel's ESP (no device): arriving datagrams of encrypted VNIs must have been decrypted by it.
    assertThat(Ruleset.render(new NodeFirewall(List.of(), List.of(), List.of(), List.of(4096)))).doesNotContain("guard_out")
        .contains("    udp dport 4789 @th,96,24 { 4096 } meta secpath missing counter drop\n");
  }
}
