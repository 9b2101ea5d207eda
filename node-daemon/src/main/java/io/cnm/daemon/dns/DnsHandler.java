package io.cnm.daemon.dns;

import io.cnm.api.net.IpAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.cnm.daemon.metrics.DaemonMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The thin handler: asks {@link Answerer} and writes the answer, or relays the query to
 * {@link Upstream} and the upstream reply back (SERVFAIL when upstream fails).
 */
final class DnsHandler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
  static final int TTL = 600;

  private final String sandbox;
  private final Supplier<DnsRecords> records;
  private final Upstream upstream;
  // Rotates multi-address answers (dnsrr, tasks.*) as Docker's resolver does, so that clients taking the first spread out.
  private final AtomicInteger rotation = new AtomicInteger();
  private final DaemonMetrics metrics;

  DnsHandler(String sandbox, Supplier<DnsRecords> records, Upstream upstream, DaemonMetrics metrics) {
    this.sandbox = sandbox;
    this.records = records;
    this.upstream = upstream;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
    long start = System.nanoTime();
    DnsQuestion q = query.recordAt(DnsSection.QUESTION);
    if (q == null) {
      reply(ctx, query, null, DnsResponseCode.FORMERR);
      metrics.dnsQuery(DaemonMetrics.DnsResult.FAILED, start);
      return;
    }
    DnsRecordType type = q.type();
    int family = type == DnsRecordType.A ? 4 : type == DnsRecordType.AAAA ? 6 : 0;
    Answerer.Answer a = Answerer.answer(records.get(), sandbox, q.name(), family);
    if (a instanceof Answerer.Local local) {
      DatagramDnsResponse r = response(query, q, DnsResponseCode.NOERROR);
      r.setAuthoritativeAnswer(true);
      for (IpAddress ip : Answerer.rotate(local.addresses(), rotation.getAndIncrement())) {
        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), ip.family() == 4 ? DnsRecordType.A : DnsRecordType.AAAA,
            TTL, Unpooled.wrappedBuffer(ip.bytes())));
      }
      ctx.writeAndFlush(r);
      metrics.dnsQuery(DaemonMetrics.DnsResult.ANSWERED, start);
      return;
    }
    int id = query.id();
    var sender = query.sender();
    DatagramDnsResponse servfail = response(query, q, DnsResponseCode.SERVFAIL);
    upstream.forward(q.name(), type.intValue()).whenComplete((raw, err) -> {
      if (err != null || raw == null) {
        ctx.writeAndFlush(servfail);
        metrics.dnsQuery(DaemonMetrics.DnsResult.FAILED, start);
      } else {
        servfail.release();
        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(RawDns.withId(raw, id)), sender));
        metrics.dnsQuery(DaemonMetrics.DnsResult.FORWARDED, start);
      }
    });
  }

  private static DatagramDnsResponse response(DatagramDnsQuery query, DnsQuestion q, DnsResponseCode code) {
    DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
    r.setRecursionDesired(query.isRecursionDesired());
    r.setRecursionAvailable(true);
    r.setCode(code);
    if (q != null) {
      r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type(), q.dnsClass()));
    }
    return r;
  }

  private static void reply(ChannelHandlerContext ctx, DatagramDnsQuery query, DnsQuestion q, DnsResponseCode code) {
    ctx.writeAndFlush(response(query, q, code));
  }
}
