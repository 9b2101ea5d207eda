package io.cnm.daemon.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.esp.SecurityAssociation;
import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.tun.TunDevice;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The userspace ESP path between two "nodes" (test namespaces on a veth underlay), with the
 * routing the overlay will use: UDP to port 4789 (VXLAN's) is marked and routed into the TUN
 * device. A datagram sent node a → node b arrives at b's socket; on the underlay it is ESP in
 * UDP 4500 and its marker is nowhere. With no key for the peer nothing leaves; a wrong key, a
 * replay and a foreign sender are dropped and counted.
 */
@Tag("kernel")
class EspTunnelKernelTest {
  static final byte[] MARKER = "vxlan-plaintext-marker-77e1".getBytes(StandardCharsets.US_ASCII);
  final TestNamespaces namespaces = new TestNamespaces();
  EspTunnel a;
  EspTunnel b;

  @AfterEach
  void cleanUp() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    namespaces.close();
  }

  static byte[] keymat() {
    byte[] k = new byte[36];
    new SecureRandom().nextBytes(k);
    return k;
  }

  /** Node {@code name} at 10.99.0.{host}: the tunnel's TUN device, and UDP 4789 routed into it. */
  EspTunnel node(String name, NetNamespace ns, int host) throws Exception {
    String full = namespaces.fullName(name);
    return ns.run(() -> {
      TunDevice tun = TunDevice.open("cnmesp0");
      TestNamespaces.sh("ip", "-n", full, "link", "set", "cnmesp0", "up");
      TestNamespaces.sh("ip", "-n", full, "route", "add", "default", "dev", "cnmesp0", "table", "145");
      TestNamespaces.sh("ip", "-n", full, "rule", "add", "fwmark", "0x4500", "lookup", "145");
      TestNamespaces.sh("ip", "netns", "exec", full, "sysctl", "-qw", "net.ipv4.conf.cnmesp0.rp_filter=0", "net.ipv4.conf.all.rp_filter=0");
      TestNamespaces.sh("ip", "netns", "exec", full, "nft", "add table ip esptest; add chain ip esptest out { type route hook output priority mangle; };"
          + " add rule ip esptest out udp dport 4789 meta mark set 0x4500");
      DatagramChannel udp = DatagramChannel.open();
      udp.bind(new InetSocketAddress(InetAddress.getByName("10.99.0." + host), EspTunnel.PORT));
      return new EspTunnel(IpAddress.parse("10.99.0." + host), tun, udp);
    });
  }

  @Test
  void vxlanDatagramsCrossAsEspOnly_andNeverWithoutAKey() throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    assumeTrue(Files.exists(Path.of("/dev/net/tun")), "the kernel's TUN device (/dev/net/tun) is missing; skipped");
    NetNamespace na = namespaces.create("a");
    NetNamespace nb = namespaces.create("b");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", namespaces.fullName("b"));
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "addr", "add", "10.99.0.1/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("b"), "addr", "add", "10.99.0.2/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "link", "set", "u0", "up");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("b"), "link", "set", "u0", "up");
    a = node("a", na, 1);
    b = node("b", nb, 2);
    Path pcap = Files.createTempFile("underlay", ".pcap");
    Process capture = new ProcessBuilder("ip", "netns", "exec", namespaces.fullName("b"), "tcpdump", "-i", "u0", "-U", "-w", pcap.toString())
        .redirectErrorStream(true).start();
    Thread.sleep(1000);
    DatagramSocket receiver = nb.run(() -> {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789));
      s.setSoTimeout(1500);
      return s;
    });
    try (receiver) {
      // No key for b yet: nothing leaves a, neither in the clear nor otherwise.
      send(na);
      assertThat(receive(receiver)).isNull();
      assertThat(a.dropped(EspTunnel.Drop.NO_KEY)).isEqualTo(1);

      byte[] ab = keymat();
      byte[] ba = keymat();
      a.outbound(IpAddress.parse("10.99.0.2"), new SecurityAssociation(0x0A0B0001, ab));
      b.inbound(IpAddress.parse("10.99.0.1"), List.of(new SecurityAssociation(0x0A0B0001, ab)));
      b.outbound(IpAddress.parse("10.99.0.1"), new SecurityAssociation(0x0B0A0001, ba));
      a.inbound(IpAddress.parse("10.99.0.2"), List.of(new SecurityAssociation(0x0B0A0001, ba)));
      for (int i = 0; i < 3; i++) {
        send(na);
        assertThat(receive(receiver)).isEqualTo(new String(MARKER, StandardCharsets.US_ASCII));
      }
      assertThat(a.sealed()).isEqualTo(3);
      assertThat(b.opened()).isEqualTo(3);

      // A rotation: b accepts the old and the new key while a switches; nothing is lost on the way.
      byte[] ab2 = keymat();
      b.inbound(IpAddress.parse("10.99.0.1"), List.of(new SecurityAssociation(0x0A0B0001, ab), new SecurityAssociation(0x0A0B0002, ab2)));
      send(na);
      a.outbound(IpAddress.parse("10.99.0.2"), new SecurityAssociation(0x0A0B0002, ab2));
      send(na);
      assertThat(receive(receiver)).isNotNull();
      assertThat(receive(receiver)).isNotNull();
      b.inbound(IpAddress.parse("10.99.0.1"), List.of(new SecurityAssociation(0x0A0B0002, ab2)));

      // b with a key a does not have: its ICV fails, the packet is dropped and counted.
      b.inbound(IpAddress.parse("10.99.0.1"), List.of(new SecurityAssociation(0x0A0B0002, keymat())));
      send(na);
      assertThat(receive(receiver)).isNull();
      await().atMost(Duration.ofSeconds(2)).until(() -> b.dropped(EspTunnel.Drop.AUTHENTICATION) == 1);
    } finally {
      Thread.sleep(500);
      capture.destroy();
      capture.waitFor(5, TimeUnit.SECONDS);
    }
    byte[] wire = Files.readAllBytes(pcap);
    assertThat(wire.length).as("the capture holds the ESP packets").isGreaterThan(500);
    assertThat(new String(wire, StandardCharsets.ISO_8859_1)).as("plaintext on the underlay").doesNotContain("plaintext-marker");
    String ports = TestNamespaces.sh("tcpdump", "-nr", pcap.toString(), "udp");
    assertThat(ports).contains("10.99.0.1.4500 > 10.99.0.2.4500").doesNotContain(".4789");
    Files.deleteIfExists(pcap);
  }

  static void send(NetNamespace ns) {
    ns.run(() -> {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.1"), 0))) {
        s.send(new DatagramPacket(MARKER, MARKER.length, new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789)));
      }
      return null;
    });
  }

  static String receive(DatagramSocket s) throws Exception {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      s.receive(p);
      return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      return null;
    }
  }
}
