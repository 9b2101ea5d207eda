package io.cnm.daemon.kernel;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real TCP between namespaces: sockets are created inside them, then used from test threads. */
public final class Packets {
  private Packets() {}

  /**
   * Starts a one-shot echo server inside {@code server} on {@code ip:port}, connects from inside
   * {@code client}, sends a line and returns what came back; null when the connection fails
   * within the timeout (isolation).
   */
  public static String echo(NetNamespace server, String ip, int port, NetNamespace client, int timeoutMs) {
    return exchange(server, ip, port, client, timeoutMs, false);
  }

  /** Like {@link #echo}, but the server answers with the source address it saw (to observe NAT). */
  public static String sourceSeen(NetNamespace server, String ip, int port, NetNamespace client, int timeoutMs) {
    return exchange(server, ip, port, client, timeoutMs, true);
  }

  /** Connects from {@code client} to ip:port where {@code server} listens on {@code bindIp}:bindPort (DNAT). */
  public static String echoVia(NetNamespace server, String bindIp, int bindPort, NetNamespace client, String ip, int port, int timeoutMs) {
    return exchange(server, bindIp, bindPort, client, ip, port, timeoutMs, false);
  }

  private static String exchange(NetNamespace server, String ip, int port, NetNamespace client, int timeoutMs, boolean reportSource) {
    return exchange(server, ip, port, client, ip, port, timeoutMs, reportSource);
  }

  private static String exchange(NetNamespace server, String bindIp, int bindPort, NetNamespace client, String ip, int port,
      int timeoutMs, boolean reportSource) {
    ServerSocket ss = server.run(() -> {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(bindIp, bindPort));
      return s;
    });
    CompletableFuture<Void> serve = CompletableFuture.runAsync(() -> {
      try (ss; Socket c = ss.accept()) {
        InputStream in = c.getInputStream();
        OutputStream out = c.getOutputStream();
        byte[] buf = new byte[256];
        int n = in.read(buf);
        String reply = reportSource ? "from " + ((InetSocketAddress) c.getRemoteSocketAddress()).getAddress().getHostAddress()
            : "echo " + new String(buf, 0, Math.max(n, 0), StandardCharsets.UTF_8);
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException ignored) {
        // closed by the test after a refused connection
      }
    });
    try {
      return client.run(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(ip, port), timeoutMs);
          s.setSoTimeout(timeoutMs);
          s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
          byte[] buf = new byte[256];
          int n = s.getInputStream().read(buf);
          return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
        } catch (IOException e) {
          return null;
        }
      });
    } finally {
      try {
        ss.close();
        serve.get(2, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the server ends with its socket
      }
    }
  }
}
