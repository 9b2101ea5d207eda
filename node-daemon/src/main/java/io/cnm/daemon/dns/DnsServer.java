package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import io.cnm.daemon.metrics.DaemonMetrics;
import java.util.function.Supplier;

/**
 * The embedded DNS servers of one node: one UDP socket at 127.0.0.11:53 inside each sandbox,
 * all served by one event loop in the daemon. Local names are answered on a fast path from
 * answers encoded once per records snapshot ({@link FastPath}); the rest through Netty's DNS
 * codec. The socket is created inside the sandbox (on a thread that joined its namespace); the
 * event loop was started in the node's namespace before any such switch, so its thread never
 * lives in a sandbox.
 */
public final class DnsServer implements AutoCloseable {
  public static final String ADDRESS = "127.0.0.11";

  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Supplier<DnsRecords> records;
  private final Upstream upstream;
  private volatile EncodedAnswers answers = new EncodedAnswers(DnsRecords.EMPTY);
  private final DaemonMetrics metrics;

  public DnsServer(Supplier<DnsRecords> records, Upstream upstream) {
    this(records, upstream, DaemonMetrics.none());
  }

  /** @param metrics where each query's result and latency are counted */
  public DnsServer(Supplier<DnsRecords> records, Upstream upstream, DaemonMetrics metrics) {
    this.records = records;
    this.upstream = upstream;
    this.metrics = metrics;
    // Start the loop thread now, from the node's namespace: threads inherit their creator's.
    group.submit(() -> { }).syncUninterruptibly();
  }

  /** The encoded answers of the current records: made anew, empty, whenever the agent swaps in a new snapshot. */
  EncodedAnswers answers() {
    DnsRecords now = records.get();
    EncodedAnswers a = answers;
    if (a.records != now) {
      a = new EncodedAnswers(now);
      answers = a;
    }
    return a;
  }

  /** Binds a server at 127.0.0.11 inside the sandbox; close the returned channel to stop it. */
  public Channel serve(NetNamespace sandbox, String sandboxId, int port) {
    return serve(sandbox, sandboxId, ADDRESS, port);
  }

  /** Binds a server at {@code address} inside the namespace (tests use this for a resolver of their own). */
  public Channel serve(NetNamespace sandbox, String sandboxId, String address, int port) {
    Bootstrap b = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new FastPath(sandboxId, DnsServer.this::answers, metrics), new DatagramDnsQueryDecoder(), new ResponseEncoder(),
                new DnsHandler(sandboxId, records, upstream, metrics));
          }
        });
    return sandbox.run(() -> b.bind(new InetSocketAddress(address, port)).sync().channel());
  }

  /**
   * Encodes our own responses only: a relayed upstream reply is already a DatagramPacket, which
   * is also an AddressedEnvelope and would otherwise be claimed by the encoder and dropped.
   */
  static final class ResponseEncoder extends DatagramDnsResponseEncoder {
    @Override
    public boolean acceptOutboundMessage(Object msg) {
      return msg instanceof DatagramDnsResponse;
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
