package io.cnm.daemon.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.cnm.daemon.metrics.DaemonMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The hot path: an A or AAAA query for a local name is answered from {@link EncodedAnswers}
 * straight off the received bytes, one buffer out, with no DNS message objects. Anything else (a
 * name to forward, another type, a malformed or unusual query) goes on to the full decoder and
 * {@link DnsHandler}, unchanged. Replies are written as the queries of a read are answered and
 * flushed once the read is done. One per channel: its lookup key is filled in place, on the
 * channel's event loop.
 */
final class FastPath extends ChannelInboundHandlerAdapter {
  private static final int HEADER = 12;

  private final String sandbox;
  private final Supplier<EncodedAnswers> answers;
  private final AtomicInteger rotation = new AtomicInteger();
  private final EncodedAnswers.NameKey probe = new EncodedAnswers.NameKey();
  private final DaemonMetrics metrics;

  FastPath(String sandbox, Supplier<EncodedAnswers> answers, DaemonMetrics metrics) {
    this.sandbox = sandbox;
    this.answers = answers;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof DatagramPacket packet && answered(ctx, packet)) {
      packet.release();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** The replies of one read leave together: one sendmmsg on epoll. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  private boolean answered(ChannelHandlerContext ctx, DatagramPacket packet) {
    long start = System.nanoTime();
    ByteBuf in = packet.content();
    int base = in.readerIndex();
    int len = in.readableBytes();
    // A standard query (QR 0, opcode 0) with one question and nothing else but an OPT record at most.
    if (len < HEADER + 5 || (in.getByte(base + 2) & 0xF8) != 0 || in.getUnsignedShort(base + 4) != 1 || in.getUnsignedShort(base + 6) != 0
        || in.getUnsignedShort(base + 8) != 0 || in.getUnsignedShort(base + 10) > 1) {
      return false;
    }
    byte[] name = probe.buffer(); // the name's text, lower case, filled in place: no object per query
    int n = 0;
    int p = base + HEADER;
    int end = base + len;
    while (true) {
      if (p >= end) {
        return false;
      }
      int l = in.getUnsignedByte(p++);
      if (l == 0) {
        break;
      }
      if (l > 63 || p + l > end || n + l + 1 > EncodedAnswers.NameKey.MAX) {
        return false; // a pointer, garbage or a name too long: not in a question as clients send it
      }
      if (n > 0) {
        name[n++] = '.';
      }
      for (int i = 0; i < l; i++) {
        byte c = in.getByte(p + i);
        name[n++] = c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
      }
      p += l;
    }
    if (p + 4 > end) {
      return false;
    }
    int type = in.getUnsignedShort(p);
    int klass = in.getUnsignedShort(p + 2);
    int questionEnd = p + 4;
    if ((type != 1 && type != 28) || klass != 1) {
      return false;
    }
    EncodedAnswers.Encoded a = answers.get().get(probe.set(sandbox, n, type));
    if (a == EncodedAnswers.FORWARD) {
      return false;
    }
    byte[] records = a.rotations()[a.rotations().length == 1 ? 0 : Math.floorMod(rotation.getAndIncrement(), a.rotations().length)];
    int questionLen = questionEnd - base - HEADER;
    ByteBuf out = ctx.alloc().ioBuffer(HEADER + questionLen + records.length);
    out.writeShort(in.getUnsignedShort(base)); // the client's id
    out.writeByte(0x84 | (in.getByte(base + 2) & 0x01)); // QR, AA, the client's RD
    out.writeByte(0x80); // RA, NOERROR
    out.writeShort(1);
    out.writeShort(a.count());
    out.writeShort(0);
    out.writeShort(0);
    out.writeBytes(in, base + HEADER, questionLen); // the question as the client spelled it
    out.writeBytes(records);
    ctx.write(new DatagramPacket(out, packet.sender())); // sent with the rest of this read's replies
    metrics.dnsQuery(DaemonMetrics.DnsResult.ANSWERED, start);
    return true;
  }
}
