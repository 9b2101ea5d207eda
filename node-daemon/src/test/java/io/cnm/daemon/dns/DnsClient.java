package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A test DNS client: queries from inside a namespace over real UDP and decodes the reply with Netty's codec. */
final class DnsClient {
  record Reply(String rcode, List<String> addresses) {}

  private DnsClient() {}

  static Reply query(NetNamespace ns, String server, int port, String name, int type, int timeoutMs) {
    byte[] raw = ns.run(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(timeoutMs);
        byte[] q = RawDns.query(4242, name, type);
        s.send(new java.net.DatagramPacket(q, q.length, new InetSocketAddress(server, port)));
        byte[] buf = new byte[4096];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        s.receive(p);
        byte[] out = new byte[p.getLength()];
        System.arraycopy(buf, 0, out, 0, out.length);
        return out;
      } catch (java.net.SocketTimeoutException e) {
        return null;
      }
    });
    if (raw == null) {
      return null;
    }
    EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsResponseDecoder());
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(raw), new InetSocketAddress(0), new InetSocketAddress(server, port)));
    DnsResponse r = ch.readInbound();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
      if (rec instanceof DnsRawRecord rr) {
        ByteBuf c = rr.content();
        byte[] b = new byte[c.readableBytes()];
        c.getBytes(c.readerIndex(), b);
        try {
          addresses.add(InetAddress.getByAddress(b).getHostAddress());
        } catch (java.net.UnknownHostException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    Reply reply = new Reply(r.code().toString().replaceAll("\\(.*", ""), addresses);
    r.release();
    ch.finishAndReleaseAll();
    return reply;
  }
}
