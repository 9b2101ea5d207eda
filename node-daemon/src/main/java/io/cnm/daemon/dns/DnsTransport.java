package io.cnm.daemon.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.StandardSocketOptions;

/**
 * The embedded DNS's sockets: Linux's epoll through Netty's native transport, where a read takes
 * up to {@link #BATCH} queries in one {@code recvmmsg} and the replies to them leave in one
 * {@code sendmmsg} (a fifth less CPU per query than NIO on average in {@code make bench-dns}); the JDK's NIO
 * where the native library cannot load (another architecture or C library), with one system call
 * per packet each way.
 */
public enum DnsTransport {
  EPOLL, NIO;

  /**
   * A batch read's slot per query. 1,232 bytes is the UDP payload DNS flag day 2020 settled on; a
   * query is a header, one name of at most 255 bytes and an OPT record, far below it. A longer
   * datagram is cut to its first 1,232 bytes; its question, at the front, is still answered.
   */
  static final int MAX_QUERY = 1232;
  /** Queries read per system call at most. */
  static final int BATCH = 16;

  /** Epoll where it loads, else NIO. */
  public static DnsTransport best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** Why epoll is not used, or null when it is available. */
  public static String whyNotEpoll() {
    Throwable t = Epoll.unavailabilityCause();
    return t == null ? null : String.valueOf(t.getMessage() != null ? t.getMessage() : t);
  }

  EventLoopGroup group(int loops) {
    return this == EPOLL ? new EpollEventLoopGroup(loops) : new NioEventLoopGroup(loops);
  }

  /**
   * The channel class and options of a sandbox's socket.
   *
   * @param shared whether other sockets bind the same address (SO_REUSEPORT); only then, so that
   *     with one loop nothing else in the sandbox can bind 127.0.0.11:53 beside the daemon
   */
  Bootstrap configure(Bootstrap b, boolean shared) {
    if (this == NIO) {
      return b.channel(NioDatagramChannel.class).option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), shared);
    }
    return b.channel(EpollDatagramChannel.class)
        .option(EpollChannelOption.SO_REUSEPORT, shared)
        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY)
        .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY * BATCH));
  }
}
