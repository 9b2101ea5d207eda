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
import io.cnm.daemon.udp.GsoSocket;
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

  static byte[] key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  /** Node {@code name} at 10.99.0.{host}: UDP to 4789 marked and routed into the TUN device, and a tunnel on it. */
  EspTunnel node(String name, NetNamespace ns, int host, int session) throws Exception {
    String full = namespaces.fullName(name);
    TestNamespaces.sh("ip", "-n", full, "rule", "add", "fwmark", "0x4500", "lookup", "145");
    TestNamespaces.sh("ip", "netns", "exec", full, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
    TestNamespaces.sh("ip", "netns", "exec", full, "nft", "add table ip esptest; add chain ip esptest out { type route hook output priority mangle; };"
        + " add rule ip esptest out udp dport 4789 meta mark set 0x4500");
    return tunnel(name, ns, host, session);
  }

  /** Nodes a (10.99.0.1, session 100) and b (10.99.0.2, session 200) on a veth underlay, each with its tunnel (skips where the kernel cannot). */
  NetNamespace[] twoNodes() throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    assumeTrue(Files.exists(Path.of("/dev/net/tun")), "the kernel's TUN device (/dev/net/tun) is missing; skipped");
    NetNamespace na = namespaces.create("a");
    NetNamespace nb = namespaces.create("b");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", namespaces.fullName("b"));
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "addr", "add", "10.99.0.1/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("b"), "addr", "add", "10.99.0.2/24", "dev", "u0");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("a"), "link", "set", "u0", "up");
    TestNamespaces.sh("ip", "-n", namespaces.fullName("b"), "link", "set", "u0", "up");
    a = node("a", na, 1, 100);
    b = node("b", nb, 2, 200);
    return new NetNamespace[] {na, nb};
  }

  /** A tunnel (a daemon's life): its TUN device, the route into it, its socket on 4500. */
  EspTunnel tunnel(String name, NetNamespace ns, int host, int session) throws Exception {
    String full = namespaces.fullName(name);
    return ns.run(() -> {
      TunDevice tun = TunDevice.open("cnmesp0");
      TestNamespaces.sh("ip", "-n", full, "link", "set", "cnmesp0", "up");
      TestNamespaces.sh("ip", "-n", full, "route", "replace", "default", "dev", "cnmesp0", "table", "145");
      TestNamespaces.sh("ip", "netns", "exec", full, "sysctl", "-qw", "net.ipv4.conf.cnmesp0.rp_filter=0");
      GsoSocket udp = GsoSocket.bind(InetAddress.getByName("10.99.0." + host), EspTunnel.PORT, 1 << 20);
      return new EspTunnel(IpAddress.parse("10.99.0." + host), session, 4, tun, udp); // a new epoch every 4 packets
    });
  }


  @Test
  void vxlanDatagramsCrossAsEspOnly_andNeverWithoutAKey() throws Exception {
    NetNamespace[] ab = twoNodes();
    NetNamespace na = ab[0];
    NetNamespace nb = ab[1];
    Path pcap = Files.createTempFile("underlay", ".pcap");
    Process capture = new ProcessBuilder("ip", "netns", "exec", namespaces.fullName("b"), "tcpdump", "-i", "u0", "-U", "-w", pcap.toString())
        .redirectErrorStream(true).start();
    Thread.sleep(1000);
    DatagramSocket receiver = nb.run(() -> {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789));
      s.setSoTimeout(1500);
      return s;
    });
    IpAddress ipA = IpAddress.parse("10.99.0.1");
    IpAddress ipB = IpAddress.parse("10.99.0.2");
    byte[] k1 = key();
    try (receiver) {
      // b is not a peer of a yet: nothing leaves a, neither in the clear nor otherwise.
      a.keyring(List.of(k1));
      b.keyring(List.of(k1));
      send(na);
      assertThat(receive(receiver)).isNull();
      assertThat(a.dropped(EspTunnel.Drop.NO_KEY)).isEqualTo(1);

      a.peer(ipB, b.session());
      b.peer(ipA, a.session());
      for (int i = 0; i < 10; i++) {
        send(na);
        assertThat(receive(receiver)).as("datagram %d", i).isEqualTo(new String(MARKER, StandardCharsets.US_ASCII));
      }
      // Every 4 packets a new epoch (a new association, no message needed): 10 packets took 3 SPIs.
      assertThat(a.rekeys()).isEqualTo(2);
      assertThat(b.opened()).isEqualTo(10);

      // A key rotation as the operator does it: the new key first added everywhere, then primary, then the old one removed.
      byte[] k2 = key();
      b.keyring(List.of(k1, k2));
      a.keyring(List.of(k1, k2));
      send(na);
      a.keyring(List.of(k2, k1)); // a seals under k2 while b has not yet made it primary
      send(na);
      b.keyring(List.of(k2, k1));
      send(na);
      for (int i = 0; i < 3; i++) {
        assertThat(receive(receiver)).as("across the rotation, datagram %d", i).isNotNull();
      }
      a.keyring(List.of(k2));
      b.keyring(List.of(k2));

      // A packet b opened, sent again (a replay), and again after b restarted (a new session: new keys).
      SecurityAssociation sa = io.cnm.daemon.esp.KeySchedule.association(k2, io.cnm.daemon.esp.KeySchedule.spi(k2, a.session(), 900),
          ipA, ipB, b.session());
      byte[] forged = io.cnm.daemon.esp.Esp.seal(sa, 17, udpDatagram(), 0, udpDatagram().length);
      sendRaw(na, forged);
      assertThat(receive(receiver)).as("a packet sealed by the key schedule alone opens at b").isNotNull();
      sendRaw(na, forged);
      assertThat(receive(receiver)).isNull();
      await().atMost(Duration.ofSeconds(2)).until(() -> b.dropped(EspTunnel.Drop.REPLAY) == 1);
      // Ten newer epochs push epoch 900's association out of what b keeps (8): its packet still never opens again.
      for (int epoch = 901; epoch <= 910; epoch++) {
        SecurityAssociation newer = io.cnm.daemon.esp.KeySchedule.association(k2, io.cnm.daemon.esp.KeySchedule.spi(k2, a.session(), epoch),
            ipA, ipB, b.session());
        sendRaw(na, io.cnm.daemon.esp.Esp.seal(newer, 17, udpDatagram(), 0, udpDatagram().length));
        assertThat(receive(receiver)).as("epoch %d", epoch).isNotNull();
      }
      sendRaw(na, forged);
      assertThat(receive(receiver)).as("a packet of an association b has let go").isNull();
      await().atMost(Duration.ofSeconds(2)).until(() -> b.dropped(EspTunnel.Drop.REPLAY) == 2);
      // Sealed by a's previous life (another session): b does not open it, though the keyring would.
      SecurityAssociation before = io.cnm.daemon.esp.KeySchedule.association(k2,
          io.cnm.daemon.esp.KeySchedule.spi(k2, (a.session() + 1) & 0xFFFF, 0), ipA, ipB, b.session());
      sendRaw(na, io.cnm.daemon.esp.Esp.seal(before, 17, udpDatagram(), 0, udpDatagram().length));
      assertThat(receive(receiver)).as("a packet of a's other session").isNull();
      await().atMost(Duration.ofSeconds(2)).until(() -> b.dropped(EspTunnel.Drop.UNKNOWN_SPI) == 1);
      a.peer(ipB, 201); // b's next life
      b.peer(ipA, a.session());
      EspTunnel restarted = b;
      b = null;
      restarted.close();
      b = tunnel("b", nb, 2, 201);
      b.keyring(List.of(k2));
      b.peer(ipA, a.session());
      sendRaw(na, forged);
      assertThat(receive(receiver)).as("a packet captured before b restarted").isNull();
      await().atMost(Duration.ofSeconds(2)).until(() -> b.dropped(EspTunnel.Drop.AUTHENTICATION) == 1);
      send(na);
      assertThat(receive(receiver)).as("a's traffic to the restarted b").isNotNull();

      // A node with another keyring: nothing it sends is opened.
      b.keyring(List.of(key()));
      send(na);
      assertThat(receive(receiver)).isNull();
      await().atMost(Duration.ofSeconds(2))
          .until(() -> b.dropped(EspTunnel.Drop.AUTHENTICATION) + b.dropped(EspTunnel.Drop.UNKNOWN_SPI) >= 2);
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

  @Test
  void aRotationToAKeyWithTheSameTag_losesNothing_thoughItsFirstSpisAreTheOldKeys() throws Exception {
    NetNamespace[] ab = twoNodes();
    byte[] k1 = key();
    byte[] k2 = key();
    while (io.cnm.daemon.esp.KeySchedule.tag(k2) != io.cnm.daemon.esp.KeySchedule.tag(k1)) {
      k2 = key(); // one in 32: the same 5-bit tag, so epoch e of k2 has the SPI of epoch e of k1
    }
    a.keyring(List.of(k1, k2));
    b.keyring(List.of(k1, k2));
    a.peer(IpAddress.parse("10.99.0.2"), b.session());
    b.peer(IpAddress.parse("10.99.0.1"), a.session());
    DatagramSocket receiver = ab[1].run(() -> {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789));
      s.setSoTimeout(3000);
      return s;
    });
    try (receiver) {
      for (int i = 0; i < 6; i++) { // epochs 0 and 1 under k1: b's windows for those SPIs have seen sequences 1 to 4
        send(ab[0]);
        assertThat(receive(receiver)).as("under k1, datagram %d", i).isNotNull();
      }
      a.keyring(List.of(k2, k1));
      b.keyring(List.of(k2, k1));
      for (int i = 0; i < 6; i++) { // k2's epoch 0, sequences 1 to 4: the SPI k1's epoch 0 had
        send(ab[0]);
        assertThat(receive(receiver)).as("under k2, datagram %d", i).isNotNull();
      }
    }
    assertThat(b.dropped(EspTunnel.Drop.REPLAY)).isZero();
    assertThat(b.opened()).isEqualTo(12);
  }

  @Test
  void aBurst_leavesInBatches_fewerSendsThanPackets_andEveryDatagramArrivesWhole() throws Exception {
    NetNamespace[] ab = twoNodes();
    NetNamespace na = ab[0];
    NetNamespace nb = ab[1];
    byte[] k = key();
    a.keyring(List.of(k));
    b.keyring(List.of(k));
    a.peer(IpAddress.parse("10.99.0.2"), b.session());
    b.peer(IpAddress.parse("10.99.0.1"), a.session());
    int n = 2000;
    java.util.Set<String> got = java.util.concurrent.ConcurrentHashMap.newKeySet();
    DatagramSocket receiver = nb.run(() -> {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789));
      s.setSoTimeout(2000);
      s.setReceiveBufferSize(4 << 20);
      return s;
    });
    try (receiver) {
      Thread reader = new Thread(() -> {
        try {
          String r;
          while ((r = receive(receiver)) != null) {
            got.add(r);
          }
        } catch (Exception e) {
          // the socket closed
        }
      });
      reader.start();
      // Back to back in bursts, sizes 1,300 and a few shorter ones: the tunnel reads what is queued and sends it in batches.
      na.run(() -> {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.1"), 0))) {
          for (int i = 0; i < n; i++) {
            if (i % 100 == 99) {
              Thread.sleep(10); // bursts of 100, within the device's queue (500) however busy the machine
            }
            String body = String.format("%05d", i) + "x".repeat(i % 50 == 0 ? 10 : 1295);
            byte[] d = body.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(d, d.length, new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 4789)));
          }
        }
        return null;
      });
      reader.join(15_000);
    }
    // UDP may drop under a burst (the device's queue or a socket buffer full); what arrives must be whole: its number and its size match.
    assertThat(a.sealed()).isBetween(n * 95L / 100, (long) n);
    assertThat(got).allSatisfy(r -> {
      int i = Integer.parseInt(r.substring(0, 5));
      assertThat(r).hasSize(5 + (i % 50 == 0 ? 10 : 1295));
    });
    assertThat(got.size()).as("datagrams arrived of %d", n).isGreaterThan(n * 9 / 10);
    assertThat(b.dropped(EspTunnel.Drop.AUTHENTICATION) + b.dropped(EspTunnel.Drop.MALFORMED) + b.dropped(EspTunnel.Drop.REPLAY)).isZero();
    assertThat(b.opened()).isGreaterThanOrEqualTo(got.size());
    assertThat(a.sends()).as("sends for %d packets", n).isLessThan(n);
  }

  /** A UDP datagram as a VXLAN device would send it: 4789 to 4789, the marker as payload, checksum 0. */
  static byte[] udpDatagram() {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + MARKER.length);
    b.putShort((short) 4789).putShort((short) 4789).putShort((short) (8 + MARKER.length)).putShort((short) 0).put(MARKER);
    return b.array();
  }

  /** ESP bytes straight to b's port 4500 from a's address (what someone replaying a capture would send). */
  static void sendRaw(NetNamespace ns, byte[] esp) {
    ns.run(() -> {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.99.0.1"), 0))) {
        s.send(new DatagramPacket(esp, esp.length, new InetSocketAddress(InetAddress.getByName("10.99.0.2"), EspTunnel.PORT)));
      }
      return null;
    });
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
