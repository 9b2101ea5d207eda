package io.cnm.daemon.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.esp.KeySchedule;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kernel path's xfrm programming, unit-tested (this machine's kernel has no ESP to run it):
 * node A (198.19.0.11, session 100) and peer B (198.19.0.12, session 200) under a keyring of two.
 */
class XfrmPlanTest {
  static final IpAddress A = IpAddress.parse("198.19.0.11");
  static final IpAddress B = IpAddress.parse("198.19.0.12");
  final byte[] k1 = key(1);
  final byte[] k2 = key(2);

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < 32; i++) {
      k[i] = (byte) (seed * 31 + i);
    }
    return k;
  }

  @Test
  void perPeer_oneOutboundStateUnderTheSealingKey_inboundStatesForEveryKeyAndTheNextEpochs_andAMarkedPolicy() {
    XfrmPlan.Plan p = XfrmPlan.of(A, 100, List.of(k1, k2), Map.of(B, 200), Map.of(), Map.of());
    assertThat(p.states()).hasSize(1 + 2 * XfrmPlan.INBOUND_EPOCHS);
    XfrmPlan.State out = p.states().get(0);
    assertThat(out.src()).isEqualTo(A);
    assertThat(out.spi()).isEqualTo(KeySchedule.spi(k1, 100, 0));
    assertThat(out.add()).isEqualTo("xfrm state add src 198.19.0.11 dst 198.19.0.12 proto esp spi 0x" + String.format("%08x", out.spi())
        + " reqid " + XfrmPlan.reqid(B) + " mode transport aead rfc4106(gcm(aes)) 0x" + HexFormat.of().formatHex(out.keymat())
        + " 128 encap espinudp 4500 4500 0.0.0.0");
    assertThat(out.keymat()).hasSize(36);
    assertThat(p.states().subList(1, p.states().size())).allSatisfy(s -> {
      assertThat(s.src()).isEqualTo(B);
      assertThat(KeySchedule.sessionOf(s.spi())).isEqualTo(200);
    });
    assertThat(p.states().stream().filter(s -> s.src().equals(B)).map(s -> KeySchedule.epochOf(s.spi())).distinct())
        .containsExactly(0, 1, 2, 3);
    assertThat(p.policies()).singleElement().satisfies(pol -> assertThat(pol.update()).isEqualTo(
        "xfrm policy update src 198.19.0.11/32 dst 198.19.0.12/32 proto udp dport 4789 dir out mark 0x00004500 mask 0xffffffff"
            + " tmpl src 198.19.0.11 dst 198.19.0.12 proto esp reqid " + XfrmPlan.reqid(B) + " mode transport level required"));
  }

  @Test
  void theKernelsKeysAreTheUserspacePaths_soNodesOfEitherPathTalk() {
    XfrmPlan.Plan a = XfrmPlan.of(A, 100, List.of(k1), Map.of(B, 200), Map.of(), Map.of());
    XfrmPlan.Plan b = XfrmPlan.of(B, 200, List.of(k1), Map.of(A, 100), Map.of(), Map.of());
    XfrmPlan.State aOut = a.states().get(0);
    // B's inbound state for A's SPI holds the key A seals with, as B's EspTunnel would derive it.
    assertThat(b.states()).filteredOn(s -> s.spi() == aOut.spi() && s.src().equals(A)).singleElement()
        .satisfies(s -> assertThat(s.keymat()).isEqualTo(aOut.keymat()));
    assertThat(aOut.keymat()).isEqualTo(KeySchedule.keymat(k1, aOut.spi(), A, B, 200));
  }

  @Test
  void aVolumeRekey_andARotation_changeOnlyWhatDiffers_newStatesBeforeOldOnesGo() {
    XfrmPlan.Plan before = XfrmPlan.of(A, 100, List.of(k1), Map.of(B, 200), Map.of(), Map.of());
    XfrmPlan.Plan rekeyed = XfrmPlan.of(A, 100, List.of(k1), Map.of(B, 200), Map.of(B, 1), Map.of(B, 1));
    List<String> lines = XfrmPlan.difference(before, rekeyed);
    int newOut = KeySchedule.spi(k1, 100, 1);
    assertThat(lines).first().asString().startsWith("xfrm state add src 198.19.0.11").contains(String.format("0x%08x", newOut));
    assertThat(lines).contains(before.states().get(0).delete()).noneMatch(l -> l.startsWith("xfrm policy"));
    assertThat(lines).filteredOn(l -> l.startsWith("xfrm state add src 198.19.0.12")).hasSize(1); // epoch 4 opens, epoch 0 goes
    assertThat(lines.indexOf(before.states().get(0).delete())).isGreaterThan(0);

    XfrmPlan.Plan rotated = XfrmPlan.of(A, 100, List.of(k2, k1), Map.of(B, 200), Map.of(), Map.of());
    List<String> rot = XfrmPlan.difference(before, rotated);
    assertThat(rot).filteredOn(l -> l.startsWith("xfrm state add")).hasSize(1 + XfrmPlan.INBOUND_EPOCHS); // k2 seals and opens
    assertThat(rot).filteredOn(l -> l.startsWith("xfrm state delete")).singleElement().isEqualTo(before.states().get(0).delete());
    assertThat(XfrmPlan.difference(rotated, rotated)).isEmpty();
    // A peer gone: its policy first, then its states.
    List<String> gone = XfrmPlan.difference(before, XfrmPlan.of(A, 100, List.of(k1), Map.of(), Map.of(), Map.of()));
    assertThat(gone.get(0)).startsWith("xfrm policy delete src 198.19.0.11/32 dst 198.19.0.12/32");
    assertThat(gone).hasSize(1 + 1 + XfrmPlan.INBOUND_EPOCHS);
    assertThat(XfrmPlan.of(A, 100, List.of(), Map.of(B, 200), Map.of(), Map.of()).states()).isEmpty();
  }

  @Test
  void theKernelsCountersPerSpi_areReadFromIpXfrmStateList() {
    String text = """
        src 198.19.0.11 dst 198.19.0.12
        \tproto esp spi 0x80190000(2149122048) reqid 1158807564(0x4513000c) mode transport
        \treplay-window 0 seq 0x00000000 flag  (0x00000000)
        \taead rfc4106(gcm(aes)) 0x00 (288 bits) 128
        \tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0
        \tlifetime config:
        \t  limit: soft (INF)(bytes), hard (INF)(bytes)
        \t  limit: soft (INF)(packets), hard (INF)(packets)
        \tlifetime current:
        \t  123456(bytes), 789(packets)
        \t  add 2026-11-29 07:00:00 use 2026-11-29 07:00:01
        src 198.19.0.12 dst 198.19.0.11
        \tproto esp spi 0x80320001(2150760449) reqid 1158807563(0x4513000b) mode transport
        \tlifetime current:
        \t  0(bytes), 0(packets)
        """;
    assertThat(XfrmCounters.packets(text)).containsExactlyInAnyOrderEntriesOf(Map.of(0x80190000, 789L, 0x80320001, 0L));
  }

  @Test
  void aPeersNewSession_replacesEveryStateWithItsKeys_deletingBeforeAddingWhereTheSpiStays() {
    XfrmPlan.Plan before = XfrmPlan.of(A, 100, List.of(k1), Map.of(B, 200), Map.of(), Map.of());
    XfrmPlan.Plan restarted = XfrmPlan.of(A, 100, List.of(k1), Map.of(B, 201), Map.of(), Map.of());
    List<String> lines = XfrmPlan.difference(before, restarted);
    XfrmPlan.State out = before.states().get(0);
    // Our SPI to B stays (our session, epoch 0), its key does not (B's session is in it): delete, then add.
    assertThat(lines.indexOf(out.delete())).isGreaterThanOrEqualTo(0).isLessThan(lines.indexOf(restarted.states().get(0).add()));
    assertThat(restarted.states().get(0).spi()).isEqualTo(out.spi());
    // B's SPIs carry its new session: its old states go, the new ones come.
    assertThat(lines).filteredOn(l -> l.startsWith("xfrm state add src 198.19.0.12")).hasSize(XfrmPlan.INBOUND_EPOCHS);
    assertThat(lines).filteredOn(l -> l.startsWith("xfrm state delete src 198.19.0.12")).hasSize(XfrmPlan.INBOUND_EPOCHS);
    assertThat(lines).noneMatch(l -> l.startsWith("xfrm policy"));
  }
}
