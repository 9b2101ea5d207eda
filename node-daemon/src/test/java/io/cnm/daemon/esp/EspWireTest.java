package io.cnm.daemon.esp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnm.daemon.kernel.TestNamespaces;
import io.cnm.daemon.netns.NetNamespace;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our ESP on the wire, judged by another implementation: packets sealed here and sent in UDP to
 * port 4500 (RFC 3948) inside a test namespace are captured, and Wireshark (tshark) decodes them
 * as ESP with our SPI and sequence numbers, finds no plaintext marker in them, and, given the key,
 * decrypts them with its own AES-GCM (RFC 4106) to the UDP datagram we sealed, marker included.
 */
@Tag("kernel")
class EspWireTest {
  static final byte[] MARKER = "cnm-plaintext-marker-5f3a".getBytes(StandardCharsets.US_ASCII);
  final TestNamespaces namespaces = new TestNamespaces();

  @AfterEach
  void cleanUp() {
    namespaces.close();
  }

  /** A UDP datagram (as VXLAN's would be: 4789 to 4789) carrying the marker; its checksum 0 (allowed for IPv4). */
  static byte[] udpDatagram() {
    ByteBuffer b = ByteBuffer.allocate(8 + MARKER.length);
    b.putShort((short) 4789).putShort((short) 4789).putShort((short) (8 + MARKER.length)).putShort((short) 0).put(MARKER);
    return b.array();
  }

  @Test
  void tsharkDecodesOurPacketsAsEsp_seesNoPlaintext_andDecryptsThemWithTheKey() throws Exception {
    TestNamespaces.assumeKernelTestsCanRun();
    assumeTrue(TestNamespaces.onPath("tshark") && TestNamespaces.onPath("tcpdump"), "tshark and tcpdump are needed (scripts/prereqs.sh test installs them); skipped");
    NetNamespace ns = namespaces.create("esp");
    Path pcap = Files.createTempFile("esp", ".pcap");
    Process capture = new ProcessBuilder("ip", "netns", "exec", namespaces.fullName("esp"), "tcpdump", "-i", "lo", "-U", "-w", pcap.toString(),
        "udp", "port", "4500").redirectErrorStream(true).start();
    Thread.sleep(1000);
    byte[] keymat = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20a1a2a3a4");
    SecurityAssociation sa = new SecurityAssociation(0x00C0FFEE, keymat);
    int sent = 5;
    ns.run(() -> {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4500))) {
        for (int i = 0; i < sent; i++) {
          byte[] esp = Esp.seal(sa, 17, udpDatagram(), 0, udpDatagram().length);
          s.send(new DatagramPacket(esp, esp.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), 4500)));
        }
      }
      return null;
    });
    Thread.sleep(1000);
    capture.destroy();
    capture.waitFor(5, TimeUnit.SECONDS);

    String plain = tshark(pcap, List.of(), "-Y", "esp", "-T", "fields", "-e", "esp.spi", "-e", "esp.sequence");
    assertThat(plain.lines().toList()).containsExactly("0x00c0ffee\t1", "0x00c0ffee\t2", "0x00c0ffee\t3", "0x00c0ffee\t4", "0x00c0ffee\t5");
    assertThat(tshark(pcap, List.of(), "-Y", "frame contains \"marker\"")).isBlank();

    String sa1 = "\"IPv4\",\"127.0.0.1\",\"127.0.0.1\",\"0x00C0FFEE\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x"
        + HexFormat.of().formatHex(keymat) + "\",\"NULL\",\"\"";
    String decrypted = tshark(pcap, List.of("-o", "esp.enable_encryption_decode:TRUE", "-o", "uat:esp_sa:" + sa1),
        "-Y", "esp && udp.dstport == 4789", "-T", "fields", "-e", "esp.sequence", "-e", "udp.payload");
    assertThat(decrypted.lines().toList()).hasSize(sent)
        .allSatisfy(l -> assertThat(l).endsWith(HexFormat.of().formatHex(MARKER)));
    // With another key, Wireshark's ICV check fails and nothing decrypts: the check above is Wireshark's own.
    String wrong = sa1.replace(HexFormat.of().formatHex(keymat), "ff" + HexFormat.of().formatHex(keymat).substring(2));
    assertThat(tshark(pcap, List.of("-o", "esp.enable_encryption_decode:TRUE", "-o", "uat:esp_sa:" + wrong),
        "-Y", "esp && udp.dstport == 4789", "-T", "fields", "-e", "esp.sequence")).isBlank();
    Files.deleteIfExists(pcap);
  }

  static String tshark(Path pcap, List<String> prefs, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==4500,udpencap"));
    cmd.addAll(prefs);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }
}
