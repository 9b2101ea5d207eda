package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * How this node encrypts the VXLAN of its encrypted overlays towards other nodes (seed: "Data
 * Plane Network Encryption"): ESP with AES-GCM, host to host. The node table marks those
 * datagrams with {@link io.cnm.daemon.nft.NodeFirewall#ENCRYPT_MARK}; an implementation takes
 * every marked datagram and sends it as ESP, or drops it. Nothing marked ever leaves in the clear.
 */
public interface NodeEncryption extends AutoCloseable {
  /** The two paths, and none; the name is what metrics and status say. */
  enum Path {
    KERNEL_XFRM("kernel-xfrm"), USERSPACE_ESP("userspace-esp"), NONE("none");

    public final String label;

    Path(String label) {
      this.label = label;
    }
  }

  /** The path this node uses (fixed for the daemon's life). */
  Path path();

  /** Why this node cannot encrypt (when {@link #path()} is NONE), as a sentence a user can act on. */
  String unavailable();

  /**
   * The device the marked datagrams must leave through (the TUN device of the userspace path):
   * the node table drops encrypted VNIs' VXLAN that would leave, or arrive, any other way. Null
   * where the kernel's own ESP (xfrm) handles them.
   */
  String device();

  /** Bytes ESP adds to each VXLAN datagram on the underlay, which the encrypted overlay's MTU gives up. */
  int overhead();

  /**
   * Sets the node's encryption to what is wanted now; idempotent, changes only what differs.
   *
   * @param on whether any encrypted overlay is present here (off: the device, rule and socket go)
   * @param keys the cluster keyring, primary first (empty: everything is dropped, nothing sent in the clear)
   * @param peers the nodes to exchange encrypted traffic with: underlay address to that daemon's session
   */
  void apply(boolean on, List<byte[]> keys, Map<IpAddress, Integer> peers);

  /** Whether encrypted traffic flows now (on, and started): until then the agent programs no encrypted peer. */
  boolean active();

  /** This daemon's session: new at each start, published with its endpoint records. */
  int session();

  /** Packets sealed and opened, drops by reason, and rekeys, for metrics (zero while off). */
  Counters counters();

  @Override
  void close();

  /** What an encrypting node has done so far. */
  record Counters(long sealed, long opened, long rekeys, Map<String, Long> dropped) {
    public static final Counters ZERO = new Counters(0, 0, 0, Map.of());
  }

  /** A node that cannot encrypt: encrypted overlays are refused here with the reason. */
  static NodeEncryption unavailable(String why) {
    return new NodeEncryption() {
      @Override
      public Path path() {
        return Path.NONE;
      }

      @Override
      public String unavailable() {
        return why;
      }

      @Override
      public String device() {
        return null;
      }

      @Override
      public int overhead() {
        return 0;
      }

      @Override
      public void apply(boolean on, List<byte[]> keys, Map<IpAddress, Integer> peers) {}

      @Override
      public boolean active() {
        return false;
      }

      @Override
      public int session() {
        return 0;
      }

      @Override
      public Counters counters() {
        return Counters.ZERO;
      }

      @Override
      public void close() {}
    };
  }
}
