package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.cnm.daemon.metrics.DaemonMetrics;
import java.util.function.Supplier;

/**
 * The embedded DNS servers of one node: a UDP socket at 127.0.0.11:53 inside each sandbox on each
 * of the daemon's DNS event loops (one unless configured; several share the address through
 * SO_REUSEPORT, {@link DnsSocket}), on epoll's batched reads and writes where it loads
 * ({@link DnsTransport}). Local names are answered on a fast path from answers encoded once per
 * records snapshot ({@link FastPath}); the rest through Netty's DNS codec. The socket is created
 * inside the sandbox (on a thread that joined its namespace); the event loops were started in the
 * node's namespace before any such switch, so their threads never live in a sandbox.
 */
public final class DnsServer implements AutoCloseable {
  public static final String ADDRESS = "127.0.0.11";

  private final DnsTransport transport;
  private final EventLoopGroup group;
  private final List<EventLoop> loops;
  private final Supplier<DnsRecords> records;
  private final Upstream upstream;
  private volatile EncodedAnswers answers = new EncodedAnswers(DnsRecords.EMPTY);
  private final DaemonMetrics metrics;

  public DnsServer(Supplier<DnsRecords> records, Upstream upstream) {
    this(records, upstream, DaemonMetrics.none(), DnsTransport.best(), 1);
  }

  /**
   * @param metrics where each query's result and latency are counted
   * @param loops the event loops (threads): each sandbox gets a channel on each, bound together with SO_REUSEPORT
   *     when there are several
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
    List<EventLoop> all = new ArrayList<>(loops);
    // Start every loop's thread now, from the node's namespace: threads inherit their creator's.
    for (EventExecutor loop : group) {
      loop.submit(() -> { }).syncUninterruptibly();
      all.add((EventLoop) loop);
    }
    this.loops = List.copyOf(all);
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

  /** Binds a server at 127.0.0.11 inside the sandbox; close the returned socket to stop it. */
  public DnsSocket serve(NetNamespace sandbox, String sandboxId, int port) {
    return serve(sandbox, sandboxId, ADDRESS, port);
  }

  /**
   * Binds a server at {@code address} inside the namespace (tests use this for a resolver of their
   * own): a channel on each event loop, with {@code SO_REUSEPORT} when there are several. The
   * channels are made on this thread, inside the namespace, so their sockets belong to it.
   */
  public DnsSocket serve(NetNamespace sandbox, String sandboxId, String address, int port) {
    ChannelInitializer<DatagramChannel> pipeline = new ChannelInitializer<>() {
      @Override
      protected void initChannel(DatagramChannel ch) {
        ch.pipeline().addLast(new FastPath(sandboxId, DnsServer.this::answers, metrics), new DatagramDnsQueryDecoder(), new ResponseEncoder(),
            new DnsHandler(sandboxId, records, upstream, metrics));
      }
    };
    boolean shared = loops.size() > 1;
    return sandbox.run(() -> {
      List<Channel> bound = new ArrayList<>(loops.size());
      try {
        for (EventLoop loop : loops) {
          Bootstrap b = transport.configure(new Bootstrap().group(loop), shared).handler(pipeline);
          bound.add(b.bind(new InetSocketAddress(address, port)).sync().channel());
        }
      } catch (Exception | Error e) {
        if (!bound.isEmpty()) {
          new DnsSocket(bound).closeNow(1000); // all or none
        }
        throw e;
      }
      return new DnsSocket(bound);
    });
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
