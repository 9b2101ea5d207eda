package io.cnm.daemon.encryption;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.esp.Esp;
import io.cnm.daemon.esp.ReplayWindow;
import io.cnm.daemon.esp.SecurityAssociation;
import io.cnm.daemon.tun.TunDevice;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host-to-host ESP in transport mode over UDP 4500 (RFC 3948), in userspace. Outbound, each IPv4
 * packet the kernel routes into the TUN device (a VXLAN datagram from this node to a peer node) has
 * its transport payload sealed under the peer's outbound association and sent to the peer's port
 * 4500. Inbound, each datagram on port 4500 is opened under the inbound association its SPI names
 * (only from the peer that association belongs to), and the IPv4 packet is rebuilt (peer to this
 * node, the protocol from the ESP trailer) and written to the TUN device. A packet to a peer with
 * no outbound key is dropped, never sent in the clear. Two threads: one per direction.
 */
public final class EspTunnel implements AutoCloseable {
  public static final int PORT = 4500;

  /** Why a packet was dropped: ESP's reasons, and the tunnel's own. */
  public enum Drop {
    NO_KEY, NOT_IPV4, MALFORMED, UNKNOWN_SPI, WRONG_PEER, REPLAY, AUTHENTICATION
  }

  /** An inbound association, with its replay window and the peer it belongs to. */
  private record Inbound(InetAddress peer, SecurityAssociation sa, ReplayWindow window) {}

  private final InetAddress local;
  private final TunDevice tun;
  private final DatagramChannel udp;
  private final Map<InetAddress, SecurityAssociation> outbound = new ConcurrentHashMap<>();
  private final Map<Integer, Inbound> inbound = new ConcurrentHashMap<>();
  private final Map<Drop, AtomicLong> drops = new EnumMap<>(Drop.class);
  private final AtomicLong sealed = new AtomicLong();
  private final AtomicLong opened = new AtomicLong();
  private final Thread out;
  private final Thread in;
  private volatile boolean closed;

  /**
   * @param udp a datagram channel bound to {@code local}:4500 in the node's namespace (blocking)
   */
  public EspTunnel(IpAddress local, TunDevice tun, DatagramChannel udp) throws IOException {
    this.local = InetAddress.getByAddress(local.bytes());
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

  /** The key to send to {@code peer} under: replaces the one before (a rekey); null stops sending to it (its packets are dropped). */
  public void outbound(IpAddress peer, SecurityAssociation sa) throws IOException {
    InetAddress p = InetAddress.getByAddress(peer.bytes());
    if (sa == null) {
      outbound.remove(p);
    } else {
      outbound.put(p, sa);
    }
  }

  /**
   * The keys {@code peer} may send under: during a rotation both the old and the new one, so no
   * packet in flight is lost; a key left out is no longer accepted.
   */
  public void inbound(IpAddress peer, List<SecurityAssociation> sas) throws IOException {
    InetAddress p = InetAddress.getByAddress(peer.bytes());
    for (SecurityAssociation sa : sas) {
      Inbound had = inbound.get(sa.spi());
      if (had == null || had.sa() != sa) {
        inbound.put(sa.spi(), new Inbound(p, sa, new ReplayWindow(1024)));
      }
    }
    inbound.values().removeIf(i -> i.peer().equals(p) && sas.stream().noneMatch(sa -> sa.spi() == i.sa().spi()));
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

  private void outbound() {
    byte[] packet = new byte[65_536];
    while (!closed) {
      try {
        int n = tun.read(packet);
        if (n < 0) {
          return;
        }
        if (n < 20 || (packet[0] >> 4) != 4) {
          drops.get(Drop.NOT_IPV4).incrementAndGet();
          continue;
        }
        int ihl = (packet[0] & 0x0F) * 4;
        int total = Math.min(n, ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF));
        InetAddress dst = InetAddress.getByAddress(java.util.Arrays.copyOfRange(packet, 16, 20));
        SecurityAssociation sa = outbound.get(dst);
        if (sa == null) {
          drops.get(Drop.NO_KEY).incrementAndGet(); // never in the clear
          continue;
        }
        byte[] esp = Esp.seal(sa, packet[9] & 0xFF, packet, ihl, total - ihl);
        udp.send(ByteBuffer.wrap(esp), new InetSocketAddress(dst, PORT));
        sealed.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void inbound() {
    ByteBuffer buf = ByteBuffer.allocate(65_536);
    while (!closed) {
      try {
        buf.clear();
        InetSocketAddress from = (InetSocketAddress) udp.receive(buf);
        if (from == null) {
          continue;
        }
        byte[] esp = java.util.Arrays.copyOf(buf.array(), buf.position());
        if (esp.length < 4) {
          drops.get(Drop.MALFORMED).incrementAndGet();
          continue;
        }
        Inbound i = inbound.get(Esp.spi(esp, 0));
        if (i == null) {
          drops.get(Drop.UNKNOWN_SPI).incrementAndGet(); // also the non-ESP marker (0) of IKE: there is no IKE here
          continue;
        }
        if (!i.peer().equals(from.getAddress())) {
          drops.get(Drop.WRONG_PEER).incrementAndGet();
          continue;
        }
        Esp.Opened o;
        try {
          o = Esp.open(i.sa(), i.window(), esp, 0, esp.length);
        } catch (Esp.Dropped d) {
          drops.get(Drop.valueOf(d.why.name())).incrementAndGet();
          continue;
        }
        byte[] ip = ipv4(i.peer(), local, o.nextHeader(), o.payload());
        tun.write(ip, 0, ip.length);
        opened.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
      }
    }
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
