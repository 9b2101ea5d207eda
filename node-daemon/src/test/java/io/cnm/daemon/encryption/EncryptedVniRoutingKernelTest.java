package io.cnm.daemon.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netlink.RouteNetlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NftCommand;
import io.cnm.daemon.nft.NodeFirewall;
import io.cnm.daemon.nft.Ruleset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The routing an encrypted overlay's traffic takes, on the real kernel: the node table marks the
 * VXLAN datagrams of encrypted VNIs, and a policy rule sends marked packets to a table of their
 * own (here its only route is a veth, standing in for the ESP tunnel's TUN device).
 * Datagrams of VNI 42 (encrypted) go there and not to the underlay; those of VNI 43 (not
 * encrypted) go to the underlay as before.
 */
@Tag("kernel")
class EncryptedVniRoutingKernelTest {
  final TestNamespaces namespaces = new TestNamespaces();

  @AfterEach
  void cleanUp() {
    namespaces.close();
  }

  @Test
  void onlyTheEncryptedVnisDatagramsTakeTheMarkedRoute() {
    TestNamespaces.assumeKernelTestsCanRun();
    NetNamespace node = namespaces.create("node");
    namespaces.create("peer");
    String n = namespaces.fullName("node");
    TestNamespaces.sh("ip", "-n", n, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", namespaces.fullName("peer"));
    TestNamespaces.sh("ip", "-n", n, "addr", "add", "10.99.0.1/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", n, "link", "set", "u0", "up");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("peer"), "addr", "add", "10.99.0.2/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("peer"), "link", "set", "u0", "up");
    // A veth whose other end goes nowhere: what leaves through it is counted, as the TUN device's would be.
    TestNamespaces.sh("ip", "-n", n, "link", "add", "tun-standin", "type", "veth", "peer", "name", "sink");
    TestNamespaces.sh("ip", "-n", n, "link", "set", "sink", "up");
    TestNamespaces.sh("ip", "-n", n, "link", "set", "tun-standin", "up");
    // A TUN device has no neighbours to resolve; the veth standing in for it is told the peer's MAC.
    TestNamespaces.sh("ip", "-n", n, "neigh", "replace", "10.99.0.2", "lladdr", "02:00:0a:63:00:02", "dev", "tun-standin", "nud", "permanent");
    for (int vni : new int[] {42, 43}) {
      String dev = "vx" + vni;
      TestNamespaces.sh("ip", "-n", n, "link", "add", dev, "type", "vxlan", "id", String.valueOf(vni), "local", "10.99.0.1", "dstport",
          "4789", "nolearning");
      TestNamespaces.sh("ip", "-n", n, "addr", "add", "10." + vni + ".0.1/24", "dev", dev);
      TestNamespaces.sh("ip", "-n", n, "link", "set", dev, "up");
      TestNamespaces.sh("bridge", "-n", n, "fdb", "append", "00:00:00:00:00:00", "dev", dev, "dst", "10.99.0.2");
    }
    new NftCommand(node.path()).apply(Ruleset.render(new NodeFirewall(List.of(), List.of(), List.of(), List.of(42))));
    try (Netlink nl = RouteNetlink.in(node)) {
      nl.addRoute(null, null, "tun-standin", 145);
      nl.addMarkRule(NodeFirewall.ENCRYPT_MARK, 145, 1000);
    }
    Process[] captures = new Process[2];
    java.nio.file.Path[] files = new java.nio.file.Path[2];
    String[] devs = {"u0", "tun-standin"};
    try {
      for (int k = 0; k < 2; k++) {
        files[k] = java.nio.file.Files.createTempFile("vni", ".pcap");
        captures[k] = new ProcessBuilder("ip", "netns", "exec", n, "tcpdump", "-i", devs[k], "-U", "-w", files[k].toString(), "udp", "port", "4789")
            .redirectErrorStream(true).start();
      }
      Thread.sleep(1000);
      TestNamespaces.sh("ip", "netns", "exec", n, "sh", "-c", "ping -c 3 -i 0.1 -W 1 10.42.0.2; ping -c 3 -i 0.1 -W 1 10.43.0.2; true");
      Thread.sleep(500);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      for (Process p : captures) {
        if (p != null) {
          p.destroy();
        }
      }
    }
    String underlay = read(files[0]);
    String standin = read(files[1]);
    // VNI 42 (encrypted): every VXLAN datagram took the marked route; none reached the underlay.
    assertThat(standin).contains("vni 42").doesNotContain("vni 43");
    // VNI 43: to the underlay, as an unencrypted overlay's traffic goes.
    assertThat(underlay).contains("vni 43").doesNotContain("vni 42");
  }

  static String read(java.nio.file.Path pcap) {
    try {
      Thread.sleep(300);
      return TestNamespaces.sh("tcpdump", "-nr", pcap.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(pcap);
      } catch (java.io.IOException e) {
        // a temp file
      }
    }
  }
}
