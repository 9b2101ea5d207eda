package io.cnm.daemon.gossip;

import io.cnm.daemon.netns.NetNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The real {@link Transport}: Netty UDP for packets and TCP (4-byte length-prefixed frames, one
 * request and one answer per connection) for push/pull, both on the same port. Sockets are
 * created inside the given namespace (the node's), so the gossip travels the node's underlay
 * even when the daemon itself sits elsewhere (the lab); the event loop was started before any
 * namespace switch, so it never lives in a foreign one. With {@link GossipTls} the TCP sync runs
 * over mutual TLS; the UDP packets keep the keyring's encryption.
 */
public final class NettyTransport implements Transport {
  private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NettyTransport.class);
  private static final int MAX_FRAME = 64 << 20;

  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final NetNamespace ns;
  private final InetSocketAddress local;
  private final GossipTls tls;
  private Channel udp;
  private Channel tcp;
  private volatile BiConsumer<InetSocketAddress, byte[]> packets = (a, b) -> { };
  private volatile Function<byte[], CompletableFuture<byte[]>> exchanges = b -> CompletableFuture.completedFuture(null);

  /** Binds UDP and TCP at {@code bind}; {@code ns} is the namespace to create sockets in, or null for the caller's. */
  public NettyTransport(InetSocketAddress bind, NetNamespace ns) {
    this(bind, ns, null);
  }

  /** The same, with the TCP sync over mutual TLS when {@code tls} is not null. */
  public NettyTransport(InetSocketAddress bind, NetNamespace ns, GossipTls tls) {
    this.ns = ns;
    this.local = bind;
    this.tls = tls;
    group.submit(() -> { }).syncUninterruptibly();
    Bootstrap ub = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            packets.accept(p.sender(), ByteBufUtil.getBytes(p.content()));
          }
        });
    ServerBootstrap tb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              if (!tls.ready()) {
                tls.refusedOne(); // no certificate of our own yet: nobody is synced with
                ch.close();
                return;
              }
              SslHandler h = tls.server().newHandler(ch.alloc());
              h.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                  tls.refusedOne();
                  LOG.debugf("gossip sync from %s refused: %s", ch.remoteAddress(), f.cause().getMessage());
                } else if (!tls.admits(h.engine().getSession())) {
                  tls.refusedOne();
                  LOG.debugf("gossip sync from %s refused: its node was removed from the cluster", ch.remoteAddress());
                  ch.close();
                }
              });
              ch.pipeline().addLast(h);
            }
            ch.pipeline().addLast(new ReadTimeoutHandler(10), new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4),
                new LengthFieldPrepender(4), new SimpleChannelInboundHandler<ByteBuf>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    exchanges.apply(ByteBufUtil.getBytes(msg)).whenComplete((answer, err) -> {
                      if (answer == null) {
                        ctx.close();
                      } else {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
                      }
                    });
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                  }
                });
          }
        });
    try {
      udp = inNs(() -> ub.bind(bind).sync().channel());
      tcp = inNs(() -> tb.bind(bind).sync().channel());
    } catch (RuntimeException e) {
      close(); // nothing half-bound stays behind
      throw e;
    }
  }

  private <T> T inNs(java.util.concurrent.Callable<T> work) {
    try {
      return ns == null ? work.call() : ns.run(work);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("gossip transport at " + local + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public void send(InetSocketAddress to, byte[] packet) {
    udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(packet), to));
  }

  @Override
  public CompletableFuture<byte[]> exchange(InetSocketAddress to, byte[] request, long timeoutMillis) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    if (tls != null && !tls.ready()) {
      result.completeExceptionally(new IllegalStateException("no certificate for the gossip's mutual TLS yet"));
      return result;
    }
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMillis, 5000))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              SslHandler h = tls.client().newHandler(ch.alloc(), to.getHostString(), to.getPort());
              h.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                  result.completeExceptionally(f.cause());
                } else if (!tls.admits(h.engine().getSession())) {
                  tls.refusedOne();
                  result.completeExceptionally(new IllegalStateException(to + " presents the certificate of a node removed from the cluster"));
                  ch.close();
                }
              });
              ch.pipeline().addLast(h);
            }
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4), new LengthFieldPrepender(4),
                new SimpleChannelInboundHandler<ByteBuf>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    result.complete(ByteBufUtil.getBytes(msg));
                    ctx.close();
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    result.completeExceptionally(new IllegalStateException("closed by " + to + " without an answer"));
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    result.completeExceptionally(cause);
                    ctx.close();
                  }
                });
          }
        });
    try {
      // The socket is created here, so it must be created inside the node's namespace.
      inNs(() -> b.connect(to)).addListener(f -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.cause());
          return;
        }
        ((io.netty.channel.ChannelFuture) f).channel().writeAndFlush(Unpooled.wrappedBuffer(request));
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void receive(BiConsumer<InetSocketAddress, byte[]> packets, Function<byte[], CompletableFuture<byte[]>> exchanges) {
    this.packets = packets;
    this.exchanges = exchanges;
  }

  @Override
  public void close() {
    if (udp != null) {
      udp.close();
    }
    if (tcp != null) {
      tcp.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
