package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import io.cnm.daemon.metrics.DaemonMetrics;
import java.util.function.Supplier;

/**
 * The embedded DNS servers of one node: one UDP socket at 127.0.0.11:53 inside each sandbox,
 * the sockets spread over the daemon's DNS event loops (one unless configured), on epoll's
 * batched reads and writes where it loads ({@link DnsTransport}). Local names are answered on a
 * fast path from answers encoded once per records snapshot ({@link FastPath}); the rest through
 * Netty's DNS codec. The socket is created inside the sandbox (on a thread that joined its
 * namespace); the event loops were started in the node's namespace before any such switch, so
 * their threads never live in a sandbox.
 */
public final class DnsServer implements AutoCloseable {
  public static final String ADDRESS = "127.0.0.11";

  private final DnsTransport transport;
  private final EventLoopGroup group;
  private final Supplier<DnsRecords> records;
  private final Upstream upstream;
  private volatile EncodedAnswers answers = new EncodedAnswers(DnsRecords.EMPTY);
  private final DaemonMetrics metrics;

  public DnsServer(Supplier<DnsRecords> records, Upstream upstream) {
    this(records, upstream, DaemonMetrics.none(), DnsTransport.best(), 1);
  }

  /**
   * @param metrics where each query's result and latency are counted
   * @param loops the event loops (threads) the sandboxes' sockets are spread over
   */
  public DnsServer(Supplier<DnsRecords> records, Upstream upstream, DaemonMetrics metrics, DnsTransport transport, int loops) {
    if (loops < 1) {
      throw new IllegalArgumentException("the DNS needs at least one event loop, not " + loops);
    }
    this.records = records;
    this.upstream = upstream;
    this.metrics = metrics;
    this.transport = transport;
    this.group = transport.group(loops);
    // Start every loop's thread now, from the node's namespace: threads inherit their creator's.
    for (io.netty.util.concurrent.EventExecutor loop : group) {
      loop.submit(() -> { }).syncUninterruptibly();
    }
  }

  /** The transport its sockets use. */
  public DnsTransport transport() {
    return transport;
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
    Bootstrap b = transport.configure(new Bootstrap().group(group))
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
