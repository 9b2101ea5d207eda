package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.esp.Esp;
import io.cnm.daemon.esp.KeySchedule;
import io.cnm.daemon.esp.ReplayWindow;
import io.cnm.daemon.esp.SecurityAssociation;
import io.cnm.daemon.tun.TunDevice;
import io.cnm.daemon.udp.GsoSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host-to-host ESP in transport mode over UDP 4500 (RFC 3948), in userspace. Outbound, each IPv4
 * packet the kernel routes into the TUN device (a VXLAN datagram from this node to a peer node) has
 * its transport payload sealed and sent to the peer's port 4500. Inbound, each datagram on port
 * 4500 from a peer is opened and the IPv4 packet is rebuilt (peer to this node, the protocol from
 * the ESP trailer) and written to the TUN device. A packet to or from a node that is not a peer is
 * dropped: nothing is ever sent in the clear.
 * <p>
 * Keys come from the cluster keyring through {@link KeySchedule}: the sender seals under the
 * primary key, every key of the ring opens (so a rotation loses nothing), a new epoch starts after
 * {@code rekeyAfter} packets (a rekey without a message), and each daemon start is a new session.
 * One thread per direction.
 */
public final class EspTunnel implements AutoCloseable {
  public static final int PORT = 4500;
  /** Inbound associations kept per peer: the current ones, and those of a rotation or a rekey in flight. */
  private static final int KEPT_PER_PEER = 8;

  /** Why a packet was dropped: ESP's reasons, and the tunnel's own. */
  public enum Drop {
    NO_KEY, NOT_IPV4, MALFORMED, UNKNOWN_SPI, WRONG_PEER, REPLAY, AUTHENTICATION
  }

  private record Sending(byte[] master, int theirSession, int epoch, SecurityAssociation sa) {}

  private record Inbound(byte[] master, SecurityAssociation sa, ReplayWindow window) {}

  /** A key of the ring with its SPI tag and an identity for the inbound map, worked out once per ring. */
  private record RingKey(byte[] key, int tag, long id) {}

  private final IpAddress localAddress;
  private final InetAddress local;
  private final int session;
  private final long rekeyAfter;
  private final TunDevice tun;
  private final GsoSocket udp;
  /** The peers by their address as an int (what the socket says a datagram came from). */
  private final Map<Integer, InetAddress> peerByInt = new ConcurrentHashMap<>();
  private volatile List<byte[]> ring = List.of();
  private final Map<InetAddress, Integer> peers = new ConcurrentHashMap<>();
  /**
   * Per peer, per key of the ring: the association in use. Kept while the key is in the ring, so a
   * primary that changes back continues its sequence instead of starting it again (AES-GCM must
   * never see a nonce twice under one key).
   */
  private final Map<InetAddress, Map<ByteBuffer, Sending>> sending = new HashMap<>();
  /** The ring the outbound thread last pruned {@link #sending} for: pruned again only when the ring changes, not per packet. */
  private List<byte[]> ringSent = List.of();
  /**
   * Per peer, by SPI and key (two keys of the ring may share a tag, and so an SPI): the inbound
   * associations in use, least recently used first.
   */
  private final Map<InetAddress, Map<Long, Inbound>> receiving = new ConcurrentHashMap<>();
  private volatile List<RingKey> ringKeys = List.of();
  /**
   * Per peer (its current session), per key: the highest epoch an association was made for.
   * An association is never made again for an epoch at or below it, so a packet of an association
   * already let go (fewer than all are kept) cannot be replayed into a fresh window.
   */
  private final Map<InetAddress, Map<ByteBuffer, Integer>> newestEpoch = new ConcurrentHashMap<>();
  private final Map<Drop, AtomicLong> drops = new EnumMap<>(Drop.class);
  private final AtomicLong sealed = new AtomicLong();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong rekeys = new AtomicLong();
  private final AtomicLong sends = new AtomicLong();
  private final Thread out;
  private final Thread in;
  private volatile boolean closed;

  /**
   * @param session this daemon's session (new at each start, published to the peers by gossip), 0 to 65535
   * @param rekeyAfter packets sent under one association before the next epoch's (at most 2^32 - 1)
   * @param udp a socket bound to {@code local}:4500 in the node's namespace
   */
  public EspTunnel(IpAddress local, int session, long rekeyAfter, TunDevice tun, GsoSocket udp) throws IOException {
    if (rekeyAfter < 1 || rekeyAfter > SecurityAssociation.SEQ_LIMIT) {
      throw new IllegalArgumentException("rekeyAfter must be 1 to 2^32-1 packets");
    }
    this.localAddress = local;
    this.local = InetAddress.getByAddress(local.bytes());
    this.session = session;
    this.rekeyAfter = rekeyAfter;
    this.tun = tun;
    this.udp = udp;
    for (Drop d : Drop.values()) {
      drops.put(d, new AtomicLong());
    }
    out = new Thread(this::outbound, "esp-out " + tun.name());
    in = new Thread(this::inbound, "esp-in " + tun.name());
    out.setDaemon(true);
    in.setDaemon(true);
    out.start();
    in.start();
  }

  /** The keyring, primary first (the gossip's, from the operator's Secret): a key left out opens nothing any more. */
  public void keyring(List<byte[]> keys) {
    ring = List.copyOf(keys);
    ringKeys = keys.stream().map(k -> new RingKey(k.clone(), KeySchedule.tag(k), Arrays.hashCode(k) & 0xFFFF_FFFFL)).toList();
    newestEpoch.values().forEach(m -> m.keySet().removeIf(k -> keys.stream().noneMatch(r -> ByteBuffer.wrap(r).equals(k))));
    for (Map<Long, Inbound> m : receiving.values()) {
      synchronized (m) {
        m.values().removeIf(i -> keys.stream().noneMatch(k -> Arrays.equals(k, i.master())));
      }
    }
  }

  /** A node this one exchanges encrypted traffic with, and its session (from gossip); a new session forgets the old one's keys. */
  public void peer(IpAddress peer, int theirSession) throws UnknownHostException {
    InetAddress p = InetAddress.getByAddress(peer.bytes());
    Integer had = peers.put(p, theirSession);
    peerByInt.put(GsoSocket.ipv4(p), p);
    if (had != null && had != theirSession) {
      receiving.remove(p);
      newestEpoch.remove(p);
    }
  }

  /** No more traffic with this node, either way. */
  public void removePeer(IpAddress peer) throws UnknownHostException {
    InetAddress p = InetAddress.getByAddress(peer.bytes());
    peers.remove(p);
    peerByInt.remove(GsoSocket.ipv4(p));
    receiving.remove(p);
    newestEpoch.remove(p);
  }

  public int session() {
    return session;
  }

  public long dropped(Drop why) {
    return drops.get(why).get();
  }

  public long sealed() {
    return sealed.get();
  }

  public long opened() {
    return opened.get();
  }

  /** Calls that sent sealed packets (fewer than the packets where batches formed). */
  public long sends() {
    return sends.get();
  }

  /** New associations started because one had sent {@code rekeyAfter} packets. */
  public long rekeys() {
    return rekeys.get();
  }

  /**
   * Reads what the kernel routed into the device, seals it, and sends it on: the packets queued at
   * once (up to 64) to one peer and of one size leave in one call, the kernel cutting them into
   * datagrams (UDP GSO), so a stream costs one send per batch instead of one per packet.
   */
  private void outbound() {
    byte[] packet = new byte[65_536];
    Batch batch = new Batch();
    while (!closed) {
      try {
        int n = batch.count == 0 ? tun.read(packet) : tun.readNow(packet);
        if (n < 0) {
          return;
        }
        if (n == 0) {
          batch.flush(); // nothing more queued: what is gathered goes now
          continue;
        }
        if (n < 20 || (packet[0] >> 4) != 4) {
          drops.get(Drop.NOT_IPV4).incrementAndGet();
          continue;
        }
        int ihl = (packet[0] & 0x0F) * 4;
        int total = Math.min(n, ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF));
        int dstInt = ((packet[16] & 0xFF) << 24) | ((packet[17] & 0xFF) << 16) | ((packet[18] & 0xFF) << 8) | (packet[19] & 0xFF);
        InetAddress dst = peerByInt.get(dstInt);
        SecurityAssociation sa = dst == null ? null : sendingTo(dst);
        if (sa == null) {
          drops.get(Drop.NO_KEY).incrementAndGet(); // never in the clear
          continue;
        }
        batch.add(dstInt, Esp.seal(sa, packet[9] & 0xFF, packet, ihl, total - ihl));
      } catch (IOException | RuntimeException e) {
        batch.reset(); // what it held is lost, as a datagram the kernel could not send would be
        if (closed) {
          return;
        }
      }
    }
  }

  /** Sealed packets to one peer, of one size but the last, end to end: what one GSO send carries. */
  private final class Batch {
    final byte[] data = new byte[GsoSocket.MAX_BYTES];
    int peer;
    int segment;
    int length;
    int count;
    boolean ended;

    void add(int to, byte[] esp) throws IOException {
      if (esp.length > data.length) { // larger than any batch: alone
        flush();
        sealed.incrementAndGet();
        sends.incrementAndGet();
        udp.send(to, PORT, esp, esp.length, esp.length);
        return;
      }
      if (count > 0 && (to != peer || esp.length > segment || ended || length + esp.length > data.length
          || count == GsoSocket.MAX_SEGMENTS)) {
        flush();
      }
      if (count == 0) {
        peer = to;
        segment = esp.length;
      }
      System.arraycopy(esp, 0, data, length, esp.length);
      length += esp.length;
      count++;
      ended = esp.length < segment; // a shorter one can only be the last
      sealed.incrementAndGet(); // counted before it leaves, so whoever sees it arrive sees it counted
    }

    void flush() throws IOException {
      if (count == 0) {
        return;
      }
      try {
        sends.incrementAndGet();
        udp.send(peer, PORT, data, length, segment);
      } finally {
        reset();
      }
    }

    void reset() {
      count = 0;
      length = 0;
      ended = false;
    }
  }

  /** The association for the next packet to {@code dst}: the primary key's, the peer's session, the epoch not used up. */
  private SecurityAssociation sendingTo(InetAddress dst) throws UnknownHostException {
    Integer theirs = peers.get(dst);
    List<byte[]> keys = ring;
    if (theirs == null || keys.isEmpty()) {
      return null;
    }
    if (keys != ringSent) {
      // Keys that left the ring never come back (the operator makes new ones): their associations go.
      sending.values().forEach(byKey -> byKey.keySet().removeIf(k -> keys.stream().noneMatch(r -> ByteBuffer.wrap(r).equals(k))));
      ringSent = keys;
    }
    byte[] primary = keys.get(0);
    Map<ByteBuffer, Sending> byKey = sending.computeIfAbsent(dst, d -> new HashMap<>());
    Sending s = byKey.get(ByteBuffer.wrap(primary));
    int epoch;
    if (s == null || s.theirSession() != theirs) {
      epoch = 0; // a new key, or a restarted peer (a new session, so new key material)
    } else if (s.sa().sent() >= rekeyAfter) {
      epoch = s.epoch() + 1;
      if (epoch >= KeySchedule.EPOCHS) {
        return null; // 2^10 volumes under one key: only the next key rotation sends again
      }
      rekeys.incrementAndGet();
    } else {
      return s.sa();
    }
    IpAddress peer = IpAddress.of(4, new java.math.BigInteger(1, dst.getAddress()));
    SecurityAssociation sa = KeySchedule.association(primary, KeySchedule.spi(primary, session, epoch), localAddress, peer, theirs);
    byKey.put(ByteBuffer.wrap(primary.clone()), new Sending(primary, theirs, epoch, sa));
    return sa;
  }

  /** Receives from the peers (several datagrams of one sender at once where the kernel coalesced them, UDP GRO), opens, delivers. */
  private void inbound() {
    byte[] buf = new byte[GsoSocket.MAX_RECEIVE];
    GsoSocket.Received meta = new GsoSocket.Received();
    while (!closed) {
      try {
        int total = udp.receive(buf, meta);
        if (total < 0) {
          return;
        }
        InetAddress from = peerByInt.get(meta.from);
        int segment = meta.segment > 0 ? meta.segment : total;
        for (int off = 0; off < total; off += segment) {
          int len = Math.min(segment, total - off);
          if (len < 4) {
            drops.get(Drop.MALFORMED).incrementAndGet();
            continue;
          }
          if (from == null) {
            drops.get(Drop.WRONG_PEER).incrementAndGet();
            continue;
          }
          Esp.Opened o = open(from, buf, off, len);
          if (o == null) {
            continue;
          }
          byte[] ip = ipv4(from, local, o.nextHeader(), o.payload());
          opened.incrementAndGet(); // counted before it is delivered, so whoever receives it sees it counted
          tun.write(ip, 0, ip.length);
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /**
   * Opens a packet from {@code peer}: under each key of the ring whose tag the SPI carries, with
   * the association made before for that SPI and key, else a new one (a new epoch, session or
   * key), kept once it verifies. Two keys may share a tag: a packet one key's association calls a
   * replay may be the other key's first, so every such key is tried before it counts as one.
   */
  private Esp.Opened open(InetAddress peer, byte[] esp, int offset, int length) throws UnknownHostException {
    int spi = Esp.spi(esp, offset);
    Integer theirs = peers.get(peer);
    if (theirs == null || KeySchedule.sessionOf(spi) != theirs) {
      // Another life of the peer's (before its restart): whatever it sealed then is not opened now.
      drops.get(Drop.UNKNOWN_SPI).incrementAndGet();
      return null;
    }
    Map<Long, Inbound> known = receiving.computeIfAbsent(peer, p -> new LinkedHashMap<>(16, 0.75f, true));
    IpAddress peerAddress = null;
    Esp.Dropped last = null;
    boolean replayed = false;
    int tag = KeySchedule.tagOf(spi);
    for (RingKey k : ringKeys) {
      if (k.tag() != tag) {
        continue;
      }
      long id = ((long) spi << 32) | k.id();
      Inbound in;
      synchronized (known) {
        in = known.get(id);
      }
      if (in != null && Arrays.equals(in.master(), k.key())) {
        try {
          return Esp.open(in.sa(), in.window(), esp, offset, length);
        } catch (Esp.Dropped d) {
          if (d.why == Esp.Drop.MALFORMED) {
            drops.get(Drop.MALFORMED).incrementAndGet();
            return null;
          }
          replayed |= d.why == Esp.Drop.REPLAY;
          last = d;
          continue; // another key of the same tag may open it
        }
      }
      peerAddress = peerAddress != null ? peerAddress : IpAddress.of(4, new java.math.BigInteger(1, peer.getAddress()));
      Inbound candidate = new Inbound(k.key(), KeySchedule.association(k.key(), spi, peerAddress, localAddress, session), new ReplayWindow(1024));
      try {
        Esp.Opened o = Esp.open(candidate.sa(), candidate.window(), esp, offset, length);
        Map<ByteBuffer, Integer> epochs = newestEpoch.computeIfAbsent(peer, x -> new ConcurrentHashMap<>());
        Integer newest = epochs.get(ByteBuffer.wrap(k.key()));
        if (newest != null && KeySchedule.epochOf(spi) <= newest) {
          replayed = true; // an association let go, and its window with it: nothing of it opens again
          continue;
        }
        epochs.merge(ByteBuffer.wrap(k.key().clone()), KeySchedule.epochOf(spi), Math::max);
        synchronized (known) {
          known.put(id, candidate);
          if (known.size() > KEPT_PER_PEER) {
            known.remove(known.keySet().iterator().next()); // the least recently used
          }
        }
        return o;
      } catch (Esp.Dropped d) {
        if (d.why == Esp.Drop.MALFORMED) {
          drops.get(Drop.MALFORMED).incrementAndGet();
          return null;
        }
        last = last == null || d.why != Esp.Drop.AUTHENTICATION ? d : last;
      }
    }
    drops.get(replayed ? Drop.REPLAY : last == null ? Drop.UNKNOWN_SPI : Drop.valueOf(last.why.name())).incrementAndGet();
    return null;
  }

  /** An IPv4 header (no options, TTL 64, DF) in front of the payload, with its checksum. */
  static byte[] ipv4(InetAddress src, InetAddress dst, int protocol, byte[] payload) {
    if (!(src instanceof Inet4Address) || !(dst instanceof Inet4Address)) {
      throw new IllegalArgumentException("IPv4 only");
    }
    byte[] p = new byte[20 + payload.length];
    ByteBuffer b = ByteBuffer.wrap(p);
    b.put((byte) 0x45).put((byte) 0).putShort((short) p.length).putShort((short) 0).putShort((short) 0x4000)
        .put((byte) 64).put((byte) protocol).putShort((short) 0).put(src.getAddress()).put(dst.getAddress()).put(payload);
    int sum = 0;
    for (int i = 0; i < 20; i += 2) {
      sum += ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >> 16);
    }
    int checksum = ~sum & 0xFFFF;
    p[10] = (byte) (checksum >> 8);
    p[11] = (byte) checksum;
    return p;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    udp.close();
    tun.close();
  }
}
