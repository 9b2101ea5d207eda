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
import io.cnm.daemon.netns.NetNamespace;

/**
 * Forwards over UDP to the node's resolvers in turn, each with a timeout, from the node's
 * namespace (where the node's resolvers are reachable; in a cluster that is the daemon's own,
 * in the lab a node namespace). Sockets are opened per query, so replies can never be mixed up.
 */
public final class UdpUpstream implements Upstream, AutoCloseable {
  private final List<InetSocketAddress> servers;
  private final int timeoutMs;
  private final NetNamespace from;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "dns-upstream");
    t.setDaemon(true);
    return t;
  });

  /** @param from the namespace to send from, or null for the daemon's own */
  public UdpUpstream(List<InetSocketAddress> servers, int timeoutMs, NetNamespace from) {
    this.servers = List.copyOf(servers);
    this.timeoutMs = timeoutMs;
    this.from = from;
  }

  private DatagramSocket socket() throws IOException {
    if (from == null) {
      return new DatagramSocket();
    }
    // Created inside the node's namespace (the socket stays there), used from this thread.
    return from.run(DatagramSocket::new);
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
        try (DatagramSocket s = socket()) {
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
