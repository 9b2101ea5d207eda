package io.cnm.daemon.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Forwards over UDP from the daemon's own namespace (the node's) to its resolvers in turn, each
 * with a timeout. Sockets are opened per query, so replies can never be mixed up.
 */
public final class UdpUpstream implements Upstream, AutoCloseable {
  private final List<InetSocketAddress> servers;
  private final int timeoutMs;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "dns-upstream");
    t.setDaemon(true);
    return t;
  });

  public UdpUpstream(List<InetSocketAddress> servers, int timeoutMs) {
    this.servers = List.copyOf(servers);
    this.timeoutMs = timeoutMs;
  }

  /** The nameservers of a resolv.conf, leaving out loopback ones (they would be ourselves or unreachable). */
  public static List<InetSocketAddress> fromResolvConf(Path file) {
    List<InetSocketAddress> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2 && f[0].equals("nameserver") && !f[1].startsWith("127.") && !f[1].equals("::1")) {
          out.add(new InetSocketAddress(f[1], 53));
        }
      }
    } catch (IOException e) {
      // No resolv.conf: nothing to forward to; every unknown name gets SERVFAIL.
    }
    return out;
  }

  @Override
  public CompletableFuture<byte[]> forward(String name, int type) {
    return CompletableFuture.supplyAsync(() -> {
      int id = ThreadLocalRandom.current().nextInt(1 << 16);
      byte[] query = RawDns.query(id, name, type);
      for (InetSocketAddress server : servers) {
        try (DatagramSocket s = new DatagramSocket()) {
          s.setSoTimeout(timeoutMs);
          s.send(new DatagramPacket(query, query.length, server));
          byte[] buf = new byte[4096];
          DatagramPacket reply = new DatagramPacket(buf, buf.length);
          long deadline = System.currentTimeMillis() + timeoutMs;
          while (System.currentTimeMillis() < deadline) {
            s.receive(reply);
            if (reply.getLength() >= 2 && ((buf[0] & 0xff) << 8 | (buf[1] & 0xff)) == id) {
              byte[] out = new byte[reply.getLength()];
              System.arraycopy(buf, 0, out, 0, out.length);
              return out;
            }
          }
        } catch (SocketTimeoutException e) {
          // try the next resolver
        } catch (IOException e) {
          // unreachable resolver: try the next
        }
      }
      throw new IllegalStateException("no upstream resolver answered " + name);
    }, pool);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
