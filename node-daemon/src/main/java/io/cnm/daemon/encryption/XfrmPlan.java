package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.esp.KeySchedule;
import io.cnm.daemon.nft.NodeFirewall;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel path's xfrm programming as data (pure): per peer node, transport-mode ESP states
 * with {@code rfc4106(gcm(aes))} in UDP 4500 (RFC 3948, as the userspace path frames it, so a
 * node of either path talks to a node of the other) and an outbound policy that requires ESP for
 * the VXLAN datagrams the node table marked. The SPIs and key material are {@link KeySchedule}'s,
 * the same the userspace path derives. No inbound policy: a datagram of an encrypted VNI that
 * arrived without ESP is dropped by the node table ({@code meta secpath missing}), so the VXLAN
 * of plain overlays from the same peer still flows.
 */
public final class XfrmPlan {
  /** Inbound states kept per peer and key: the epoch the peer uses and the next ones (it moves on without a message). */
  public static final int INBOUND_EPOCHS = 4;

  private XfrmPlan() {}

  /** An xfrm state (security association). */
  public record State(IpAddress src, IpAddress dst, int spi, byte[] keymat, int reqid) {
    /** The {@code ip xfrm} batch line that adds it. */
    public String add() {
      return "xfrm state add src " + src + " dst " + dst + " proto esp spi 0x" + hex(spi) + " reqid " + reqid
          + " mode transport aead rfc4106(gcm(aes)) 0x" + HexFormat.of().formatHex(keymat) + " 128 encap espinudp "
          + EspTunnel.PORT + " " + EspTunnel.PORT + " 0.0.0.0";
    }

    /** The line that deletes it. */
    public String delete() {
      return "xfrm state delete src " + src + " dst " + dst + " proto esp spi 0x" + hex(spi);
    }

    /** The kernel's identity of a state: addresses and SPI. */
    public String id() {
      return src + ">" + dst + "/" + hex(spi);
    }

    /** Whether the kernel's state of the same identity must be replaced (another key: a peer's new session). */
    boolean differs(State other) {
      return reqid != other.reqid || !java.util.Arrays.equals(keymat, other.keymat);
    }
  }

  /** An outbound policy: marked VXLAN from this node to the peer goes through ESP, or not at all. */
  public record Policy(IpAddress src, IpAddress dst, int reqid) {
    private String selector() {
      return "src " + src + "/32 dst " + dst + "/32 proto udp dport 4789 dir out mark 0x" + hex(NodeFirewall.ENCRYPT_MARK)
          + " mask 0xffffffff";
    }

    public String update() {
      return "xfrm policy update " + selector() + " tmpl src " + src + " dst " + dst + " proto esp reqid " + reqid
          + " mode transport level required";
    }

    public String delete() {
      return "xfrm policy delete " + selector();
    }
  }

  /** States and policies for the node. */
  public record Plan(List<State> states, List<Policy> policies) {}

  /**
   * @param ring the keyring, sealing key first ({@link SealingKeys#order})
   * @param peers the peer nodes and their sessions
   * @param sendEpoch per peer, the epoch this node seals in (0 until it rekeys by volume)
   * @param receiveEpoch per peer, the lowest epoch of the peer's to open (0 until it has rekeyed)
   */
  public static Plan of(IpAddress local, int session, List<byte[]> ring, Map<IpAddress, Integer> peers, Map<IpAddress, Integer> sendEpoch,
      Map<IpAddress, Integer> receiveEpoch) {
    List<State> states = new ArrayList<>();
    List<Policy> policies = new ArrayList<>();
    if (ring.isEmpty()) {
      return new Plan(states, policies); // no key: the policies' absence leaves marked datagrams to the node table's guard
    }
    for (var e : new TreeMap<>(peers).entrySet()) {
      IpAddress peer = e.getKey();
      int theirs = e.getValue();
      int reqid = reqid(peer);
      byte[] sealing = ring.get(0);
      int out = KeySchedule.spi(sealing, session, sendEpoch.getOrDefault(peer, 0));
      states.add(new State(local, peer, out, KeySchedule.keymat(sealing, out, local, peer, theirs), reqid));
      for (byte[] key : ring) {
        int from = receiveEpoch.getOrDefault(peer, 0);
        for (int epoch = from; epoch < Math.min(from + INBOUND_EPOCHS, KeySchedule.EPOCHS); epoch++) {
          int in = KeySchedule.spi(key, theirs, epoch);
          states.add(new State(peer, local, in, KeySchedule.keymat(key, in, peer, local, session), reqid));
        }
      }
      policies.add(new Policy(local, peer, reqid));
    }
    return new Plan(states, policies);
  }

  /** The request ID tying a peer's outbound policy to its state: stable, from the peer's address. */
  static int reqid(IpAddress peer) {
    byte[] b = peer.bytes();
    return 0x45000000 | ((b[b.length - 3] & 0xFF) << 16) | ((b[b.length - 2] & 0xFF) << 8) | (b[b.length - 1] & 0xFF);
  }

  /**
   * The batch lines that take the kernel from {@code had} to {@code want}: new states before the
   * policies that use them, old ones after; a state whose identity stays but whose key changed (a
   * peer's new session) is deleted and added again, as the kernel cannot change a state's key.
   */
  public static List<String> difference(Plan had, Plan want) {
    List<String> lines = new ArrayList<>();
    Map<String, State> hadById = new java.util.HashMap<>();
    had.states().forEach(st -> hadById.put(st.id(), st));
    var wantIds = want.states().stream().map(State::id).collect(java.util.stream.Collectors.toSet());
    for (State st : want.states()) {
      State old = hadById.get(st.id());
      if (old == null) {
        lines.add(st.add());
      } else if (old.differs(st)) {
        lines.add(old.delete());
        lines.add(st.add());
      }
    }
    want.policies().stream().filter(p -> !had.policies().contains(p)).forEach(p -> lines.add(p.update()));
    had.policies().stream().filter(p -> !want.policies().contains(p)).forEach(p -> lines.add(p.delete()));
    had.states().stream().filter(st -> !wantIds.contains(st.id())).forEach(st -> lines.add(st.delete()));
    return lines;
  }

  private static String hex(int v) {
    return String.format("%08x", v);
  }
}
