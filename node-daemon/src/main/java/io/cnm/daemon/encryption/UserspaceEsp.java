package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netlink.Netlink;
import io.cnm.daemon.netns.NetNamespace;
import io.cnm.daemon.nft.NodeFirewall;
import io.cnm.daemon.sysctl.Sysctls;
import io.cnm.daemon.tun.TunDevice;
import io.cnm.daemon.udp.GsoSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The userspace path on a node: TUN device {@value #DEVICE}, a policy rule sending
 * {@link NodeFirewall#ENCRYPT_MARK} to table {@value #TABLE} whose default route is that device,
 * and an {@link EspTunnel} on the node's underlay address, UDP {@value EspTunnel#PORT}. Built when
 * the first encrypted overlay arrives on the node, gone with the last.
 */
public final class UserspaceEsp implements NodeEncryption {
  private static final Logger LOG = Logger.getLogger(UserspaceEsp.class);
  public static final String DEVICE = "cnmesp0";
  public static final int TABLE = 145;
  public static final int RULE_PRIORITY = 1000;
  /**
   * The device's own address. Reverse-path filtering drops everything arriving on a device with
   * no IPv4 address, whatever its mode; with one, the loose mode set on the device lets the
   * decrypted datagrams in (their source, the peer, is routed through the underlay).
   */
  public static final String DEVICE_ADDRESS = "169.254.69.45/32";
  /**
   * Outer IPv4 (20) + UDP (8) + ESP header (8) + IV (8) + padding (at most 3) + pad length and
   * next header (2) + ICV (16), less the VXLAN datagram's own IPv4 header (20), which ESP's
   * transport mode replaces.
   */
  public static final int OVERHEAD = 45;

  private final NetNamespace ns;
  private final Netlink netlink;
  private final IpAddress local;
  private final int mtu;
  private final int session;
  private final long rekeyAfter;
  private final SealingKeys sealing;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "esp-keys");
    t.setDaemon(true);
    return t;
  });
  private EspTunnel tunnel;
  private List<byte[]> keys = List.of();
  private final Set<IpAddress> peers = new HashSet<>();
  private final Map<IpAddress, Integer> sessions = new LinkedHashMap<>();
  private ScheduledFuture<?> reorder;
  /** What tunnels of earlier encrypted periods counted, so the counters only grow. */
  private Counters retired = Counters.ZERO;

  /**
   * @param ns the node's namespace (device, rule and socket live there)
   * @param local the node's underlay address
   * @param mtu the underlay's MTU (the device's: each datagram routed into it is at most that)
   * @param rekeyAfter packets under one association before the next (a rekey by volume)
   * @param graceMillis how long a key new to the ring only opens before it seals
   */
  public UserspaceEsp(NetNamespace ns, Netlink netlink, IpAddress local, int mtu, int session, long rekeyAfter, long graceMillis) {
    this.ns = ns;
    this.netlink = netlink;
    this.local = local;
    this.mtu = mtu;
    this.session = session;
    this.rekeyAfter = rekeyAfter;
    this.sealing = new SealingKeys(graceMillis);
  }

  @Override
  public Path path() {
    return Path.USERSPACE_ESP;
  }

  @Override
  public String unavailable() {
    return "";
  }

  @Override
  public String device() {
    return DEVICE;
  }

  @Override
  public int overhead() {
    return OVERHEAD;
  }

  @Override
  public int session() {
    return session;
  }

  @Override
  public synchronized boolean active() {
    return tunnel != null;
  }

  @Override
  public synchronized void apply(boolean on, List<byte[]> ring, Map<IpAddress, Integer> wanted) {
    if (!on) {
      stop();
      return;
    }
    if (tunnel == null) {
      start();
    }
    keys = List.copyOf(ring);
    rekey();
    for (var it = peers.iterator(); it.hasNext(); ) {
      IpAddress p = it.next();
      if (!wanted.containsKey(p)) {
        call(() -> tunnel.removePeer(p));
        sessions.remove(p);
        it.remove();
      }
    }
    wanted.forEach((p, s) -> {
      if (!s.equals(sessions.get(p))) {
        call(() -> tunnel.peer(p, s));
        sessions.put(p, s);
        peers.add(p);
      }
    });
  }

  /** Hands the tunnel the ring in sealing order, and comes back when a new key's grace ends. */
  private synchronized void rekey() {
    if (tunnel == null) {
      return;
    }
    long now = System.currentTimeMillis();
    tunnel.keyring(sealing.order(keys, now));
    long next = sealing.nextChange(now);
    if (reorder != null) {
      reorder.cancel(false);
    }
    reorder = next < 0 ? null : timer.schedule(this::rekey, next - now + 1, TimeUnit.MILLISECONDS);
  }

  private void start() {
    TunDevice tun = null;
    GsoSocket udp = null;
    try {
      tun = ns.run(() -> TunDevice.open(DEVICE));
      netlink.setMtu(DEVICE, mtu);
      netlink.setUp(DEVICE, true);
      // Decrypted datagrams arrive here from a peer whose route is the underlay's: loose reverse-path checking on this
      // device (the effective mode is the higher of the device's and all's, so strict on "all" becomes loose here too).
      Sysctls.set(ns, "net/ipv4/conf/" + DEVICE + "/rp_filter", "2");
      netlink.addAddress(DEVICE, io.cnm.api.net.Cidr.parse(DEVICE_ADDRESS));
      netlink.addRoute(null, null, DEVICE, TABLE);
      netlink.addMarkRule(NodeFirewall.ENCRYPT_MARK, TABLE, RULE_PRIORITY);
      // Room for a burst while the one receiving thread is busy (the kernel caps it at net.core.rmem_max).
      udp = ns.run(() -> GsoSocket.bind(InetAddress.getByAddress(local.bytes()), EspTunnel.PORT, 4 << 20));
      tunnel = new EspTunnel(local, session, rekeyAfter, tun, udp);
      LOG.infof("encrypted overlays: userspace ESP on %s:%d through %s (session %d), %s", local, EspTunnel.PORT, DEVICE, session,
          io.cnm.daemon.esp.Gcm.implementation());
    } catch (IOException | RuntimeException e) {
      if (udp != null) {
        udp.close();
      }
      if (tun != null) {
        tun.close();
      }
      throw new IllegalStateException("cannot start the userspace ESP path (TUN " + DEVICE + ", UDP " + local + ":" + EspTunnel.PORT
          + "): " + e.getMessage(), e);
    }
  }

  private void stop() {
    if (tunnel == null) {
      return;
    }
    retired = sum(retired, current(tunnel));
    try {
      tunnel.close();
    } catch (IOException e) {
      LOG.debugf("closing the ESP tunnel: %s", e.getMessage());
    }
    tunnel = null;
    // The device went with its file; the node table no longer marks anything once no encrypted overlay is left.
    netlink.deleteMarkRule(NodeFirewall.ENCRYPT_MARK, TABLE, RULE_PRIORITY);
    peers.clear();
    sessions.clear();
    LOG.info("encrypted overlays: none left on this node, the ESP path is down");
  }

  @Override
  public synchronized Counters counters() {
    return tunnel == null ? retired : sum(retired, current(tunnel));
  }

  private static Counters current(EspTunnel t) {
    Map<String, Long> dropped = new LinkedHashMap<>();
    for (EspTunnel.Drop d : EspTunnel.Drop.values()) {
      dropped.put(d.name().toLowerCase(java.util.Locale.ROOT), t.dropped(d));
    }
    return new Counters(t.sealed(), t.opened(), t.rekeys(), dropped);
  }

  private static Counters sum(Counters a, Counters b) {
    Map<String, Long> dropped = new LinkedHashMap<>(a.dropped());
    b.dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum));
    return new Counters(a.sealed() + b.sealed(), a.opened() + b.opened(), a.rekeys() + b.rekeys(), dropped);
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    stop();
  }

  private interface IoCall {
    void run() throws IOException;
  }

  private static void call(IoCall c) {
    try {
      c.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
