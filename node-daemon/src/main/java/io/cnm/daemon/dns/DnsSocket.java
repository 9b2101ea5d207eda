package io.cnm.daemon.dns;

import io.netty.channel.Channel;
import java.util.List;

/**
 * A sandbox's embedded DNS at one address: a channel on each of the server's event loops, bound
 * together with {@code SO_REUSEPORT} when there are several (the kernel spreads the sandbox's
 * clients over them by address and port), a single channel otherwise.
 */
public final class DnsSocket {
  private final List<Channel> channels;

  DnsSocket(List<Channel> channels) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("a DNS socket has at least one channel");
    }
    this.channels = List.copyOf(channels);
  }

  /** Whether every channel is still open (bound: the server binds before it hands a socket out). */
  public boolean isOpen() {
    for (Channel ch : channels) {
      if (!ch.isOpen()) {
        return false;
      }
    }
    return true;
  }

  /** Starts closing every channel. */
  public void close() {
    channels.forEach(Channel::close);
  }

  /**
   * Closes every channel and waits until they are: {@code close()} from another thread only asks
   * each channel's event loop, which could still answer a query sent right after (or hold the
   * address a new socket binds).
   *
   * @return whether all were closed within {@code millis}
   */
  public boolean closeNow(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    List<io.netty.channel.ChannelFuture> closing = channels.stream().map(Channel::close).toList();
    boolean all = true;
    for (var f : closing) {
      all &= f.awaitUninterruptibly(Math.max(0, (deadline - System.nanoTime()) / 1_000_000L));
    }
    return all;
  }

  /** Its channels, one per event loop. */
  public List<Channel> channels() {
    return channels;
  }

  @Override
  public String toString() {
    return channels.size() == 1 ? channels.get(0).toString() : channels.size() + " channels " + channels;
  }
}
