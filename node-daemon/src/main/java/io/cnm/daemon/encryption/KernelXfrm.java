package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netlink.EspInUdpSocket;
import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The kernel path: the node's own ESP (xfrm) with {@code rfc4106(gcm(aes))}, programmed from
 * {@link XfrmPlan} through {@code ip xfrm} in one batch per change, with an ESP-in-UDP socket on
 * port 4500 so that the kernel decapsulates what peers send. Chosen where {@link #probe()} finds
 * the algorithm; this machine's kernel has no ESP, so the path is unit-tested here (the plan, the
 * lines) and not run.
 */
public final class KernelXfrm implements NodeEncryption {
  private static final Logger LOG = Logger.getLogger(KernelXfrm.class);
  /** ESP in UDP: outer IPv4 (20) + UDP (8) + ESP (8) + IV (8) + padding (3) + trailer (2) + ICV (16), less the replaced IPv4 header. */
  public static final int OVERHEAD = 45;

  private final NetNamespace ns;
  private final IpAddress local;
  private final int session;
  private final long rekeyAfter;
  private final SealingKeys sealing;
  private EspInUdpSocket socket;
  private XfrmPlan.Plan applied = new XfrmPlan.Plan(List.of(), List.of());
  private boolean on;
  private List<byte[]> keys = List.of();
  private Map<IpAddress, Integer> peers = Map.of();
  private final Map<IpAddress, Integer> sendEpoch = new HashMap<>();
  private final Map<IpAddress, Integer> receiveEpoch = new HashMap<>();
  private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "xfrm-volume");
    t.setDaemon(true);
    return t;
  });

  /** @param rekeyAfter packets under one outbound state before the next epoch's (the kernel's counters are read every 10 s) */
  public KernelXfrm(NetNamespace ns, IpAddress local, int session, long rekeyAfter, long graceMillis) {
    this.ns = ns;
    this.local = local;
    this.session = session;
    this.rekeyAfter = rekeyAfter;
    this.sealing = new SealingKeys(graceMillis);
    timer.scheduleWithFixedDelay(() -> {
      try {
        refresh();
      } catch (RuntimeException e) {
        LOG.warnf("kernel ESP: %s (retried in 10 s)", e.getMessage());
      }
    }, 10, 10, TimeUnit.SECONDS);
  }

  /**
   * Whether this kernel can do the path: an AES-GCM ESP state added in a namespace of its own (gone
   * with the probe); empty when it can, else the kernel's answer.
   */
  public static Optional<String> probe() {
    try {
      Process p = new ProcessBuilder("unshare", "--net", "ip", "xfrm", "state", "add", "src", "192.0.2.1", "dst", "192.0.2.2", "proto",
          "esp", "spi", "0x100", "mode", "transport", "aead", "rfc4106(gcm(aes))", "0x" + "00".repeat(36), "128")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("the probe did not answer within 10 s");
      }
      return p.exitValue() == 0 ? Optional.empty() : Optional.of(out.isEmpty() ? "ip xfrm exited " + p.exitValue() : out);
    } catch (IOException e) {
      return Optional.of("cannot run unshare and ip (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  @Override
  public Path path() {
    return Path.KERNEL_XFRM;
  }

  @Override
  public String unavailable() {
    return "";
  }

  @Override
  public String device() {
    return null;
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
    return socket != null;
  }

  @Override
  public synchronized void apply(boolean wanted, List<byte[]> ring, Map<IpAddress, Integer> wantedPeers) {
    on = wanted;
    keys = List.copyOf(ring);
    for (var e : wantedPeers.entrySet()) {
      Integer had = peers.get(e.getKey());
      if (had != null && !had.equals(e.getValue())) {
        // A restarted peer: it opens our epochs from 0 again (new keys, its session is in them), and starts its own at 0.
        sendEpoch.remove(e.getKey());
        receiveEpoch.remove(e.getKey());
      }
    }
    peers = Map.copyOf(wantedPeers);
    sendEpoch.keySet().retainAll(peers.keySet());
    receiveEpoch.keySet().retainAll(peers.keySet());
    program();
  }

  /**
   * Volume and time: an outbound state that carried {@code rekeyAfter} packets gives way to the
   * next epoch's; a peer's inbound window moves up to the newest epoch it uses; a key's grace
   * may have ended.
   */
  synchronized void refresh() {
    if (!on || applied.states().isEmpty()) {
      return;
    }
    Map<Integer, Long> packets = XfrmCounters.packets(show());
    for (XfrmPlan.State st : applied.states()) {
      long n = packets.getOrDefault(st.spi(), 0L);
      int epoch = io.cnm.daemon.esp.KeySchedule.epochOf(st.spi());
      if (st.src().equals(local) && n >= rekeyAfter && epoch + 1 < io.cnm.daemon.esp.KeySchedule.EPOCHS) {
        sendEpoch.merge(st.dst(), epoch + 1, Math::max);
      } else if (!st.src().equals(local) && n > 0 && epoch > receiveEpoch.getOrDefault(st.src(), 0)) {
        receiveEpoch.put(st.src(), epoch - 1 < 0 ? 0 : epoch - 1); // the previous epoch still opens what is in flight
      }
    }
    program();
  }

  private void program() {
    if (on && socket == null) {
      socket = ns.run(() -> new EspInUdpSocket(local, EspTunnel.PORT));
      LOG.infof("encrypted overlays: kernel ESP (xfrm, rfc4106(gcm(aes))) in UDP %s:%d (session %d)", local, EspTunnel.PORT, session);
    }
    XfrmPlan.Plan want = on ? XfrmPlan.of(local, session, sealing.order(keys, System.currentTimeMillis()), peers, sendEpoch, receiveEpoch)
        : new XfrmPlan.Plan(List.of(), List.of());
    List<String> lines = XfrmPlan.difference(applied, want);
    if (!lines.isEmpty()) {
      batch(lines);
    }
    applied = want;
    if (!on && socket != null) {
      socket.close();
      socket = null;
    }
  }

  private String show() {
    return run(List.of("ip", "-s", "xfrm", "state", "list"), null);
  }

  /**
   * One batch. With -force, ip goes on past a line that fails; a state or policy a previous run
   * of the daemon left ("File exists") is as good as added, and one already gone as deleted.
   */
  private void batch(List<String> lines) {
    String out = run(List.of("ip", "-force", "-batch", "-"), String.join("\n", lines) + "\n");
    for (String line : out.split("\n")) {
      if (!line.isBlank() && !line.contains("File exists") && !line.contains("No such") && !line.startsWith("Command failed")) {
        throw new IllegalStateException("ip xfrm: " + out.trim());
      }
    }
  }

  private String run(List<String> ipCommand, String input) {
    try {
      List<String> cmd = new java.util.ArrayList<>();
      if (!ns.path().equals(NetNamespace.current().path())) {
        cmd.addAll(List.of("nsenter", "--net=" + ns.path()));
      }
      cmd.addAll(ipCommand);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (input != null) {
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run ip xfrm: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The kernel's ESP error counters of the node's namespace (/proc/net/xfrm_stat) by our drop reasons; nothing sealed or opened is counted. */
  @Override
  public Counters counters() {
    Map<String, Long> stat = new HashMap<>();
    try {
      String text = ns.run(() -> Files.readString(java.nio.file.Path.of("/proc/thread-self/net/xfrm_stat")));
      for (String line : text.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2) {
          stat.put(f[0], Long.parseLong(f[1]));
        }
      }
    } catch (RuntimeException e) {
      return Counters.ZERO;
    }
    Map<String, Long> dropped = new LinkedHashMap<>();
    dropped.put("replay", stat.getOrDefault("XfrmInStateSeqError", 0L));
    dropped.put("authentication", stat.getOrDefault("XfrmInStateProtoError", 0L));
    dropped.put("unknown_spi", stat.getOrDefault("XfrmInNoStates", 0L));
    dropped.put("no_key", stat.getOrDefault("XfrmOutNoStates", 0L));
    return new Counters(0, 0, 0, dropped);
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    // The states stay: a restarted daemon replaces them, and meanwhile the policies keep everything marked encrypted.
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
