package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A test DNS client: queries from inside a namespace over real UDP and reads the reply's rcode and
 * A/AAAA answers straight from the wire (RFC 1035 4.1), so measuring DNS costs little itself.
 */
public final class DnsClient {
  public record Reply(String rcode, List<String> addresses) {}

  private static final String[] RCODES = {"NoError", "FormErr", "ServFail", "NXDomain", "NotImp", "Refused"};

  private DnsClient() {}

  public static Reply query(NetNamespace ns, String server, int port, String name, int type, int timeoutMs) {
    int id = 4242;
    byte[] raw = exchange(ns, server, port, RawDns.query(id, name, type), timeoutMs);
    return raw == null ? null : parse(raw, id);
  }

  /** Sends these bytes as a query and returns the reply's bytes (null on timeout). */
  public static byte[] exchange(NetNamespace ns, String server, int port, byte[] q, int timeoutMs) {
    return ns.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(timeoutMs);
        s.send(new DatagramPacket(q, q.length, new InetSocketAddress(server, port)));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        byte[] out = new byte[p.getLength()];
        System.arraycopy(buf, 0, out, 0, out.length);
        return out;
      } catch (SocketTimeoutException e) {
        return null;
      }
    });
  }

  static Reply parse(byte[] m, int id) {
    if (m.length < 12 || u16(m, 0) != id) {
      throw new IllegalStateException("not the reply to query " + id);
    }
    int rcode = m[3] & 0x0f;
    int qd = u16(m, 4);
    int an = u16(m, 6);
    int p = 12;
    for (int i = 0; i < qd; i++) {
      p = skipName(m, p) + 4;
    }
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < an; i++) {
      p = skipName(m, p);
      int rtype = u16(m, p);
      int len = u16(m, p + 8);
      p += 10;
      if ((rtype == 1 && len == 4) || (rtype == 28 && len == 16)) {
        byte[] ip = new byte[len];
        System.arraycopy(m, p, ip, 0, len);
        try {
          addresses.add(InetAddress.getByAddress(ip).getHostAddress());
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e);
        }
      }
      p += len;
    }
    return new Reply(rcode < RCODES.length ? RCODES[rcode] : "RCODE" + rcode, addresses);
  }

  private static int skipName(byte[] m, int p) {
    while (true) {
      int len = m[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2; // compression pointer ends the name
      }
      p += len + 1;
    }
  }

  private static int u16(byte[] m, int p) {
    return ((m[p] & 0xff) << 8) | (m[p + 1] & 0xff);
  }
}
