package io.cnm.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Carries TCP connections to the lab API from where the images run to where the API listens. The
 * containers live in the lab's namespaces (a node's, the underlay's), which have no route to the
 * host, and must keep none; so the API reaches them as a cluster's nodes reach theirs, by one
 * address, 198.19.0.1:6443 on the underlay, and nothing else crosses. The two ends meet on a unix
 * socket in the state directory, which a file path reaches from any network namespace: the
 * underlay end ({@code ip netns exec cnmlab-underlay ... ApiRelay tcp:198.19.0.1:6443 unix:PATH})
 * and the host end, run inside the lab server ({@link #start}).
 */
public final class ApiRelay {
  private ApiRelay() {}

  /** {@code ApiRelay LISTEN TARGET}, each {@code tcp:HOST:PORT} or {@code unix:PATH}; serves until killed. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ApiRelay tcp:HOST:PORT|unix:PATH tcp:HOST:PORT|unix:PATH");
      System.exit(2);
    }
    start(args[0], args[1]).join();
  }

  /** Listens now and relays on a daemon thread (returned, to join). */
  public static Thread start(String listen, String target) throws IOException {
    SocketAddress at = address(listen);
    ServerSocketChannel server;
    if (at instanceof UnixDomainSocketAddress u) {
      Files.deleteIfExists(u.getPath());
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      server = ServerSocketChannel.open();
    }
    server.bind(at);
    SocketAddress to = address(target);
    Thread t = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel in = server.accept();
          SocketChannel out;
          try {
            out = to instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            out.connect(to);
          } catch (IOException e) {
            in.close();
            continue;
          }
          java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
          pump(in, out, open);
          pump(out, in, open);
        } catch (IOException e) {
          return;
        }
      }
    }, "api-relay " + listen);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Copies one direction until it ends, then ends the other side's writing (a half close, as TCP
   * has); the last of the two directions to end closes both channels.
   */
  private static void pump(SocketChannel from, SocketChannel to, java.util.concurrent.atomic.AtomicInteger open) {
    Thread t = new Thread(() -> {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      try {
        while (from.read(buf) >= 0) {
          buf.flip();
          while (buf.hasRemaining()) {
            to.write(buf);
          }
          buf.clear();
        }
        to.shutdownOutput();
        if (open.decrementAndGet() > 0) {
          return;
        }
      } catch (IOException e) {
        // a reset: both sides go
      }
      close(from);
      close(to);
    }, "api-relay pump");
    t.setDaemon(true);
    t.start();
  }

  private static void close(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  static SocketAddress address(String spec) {
    if (spec.startsWith("unix:")) {
      return UnixDomainSocketAddress.of(Path.of(spec.substring(5)));
    }
    if (spec.startsWith("tcp:")) {
      int colon = spec.lastIndexOf(':');
      return new InetSocketAddress(spec.substring(4, colon), Integer.parseInt(spec.substring(colon + 1)));
    }
    throw new IllegalArgumentException("not tcp:HOST:PORT or unix:PATH: " + spec);
  }
}
