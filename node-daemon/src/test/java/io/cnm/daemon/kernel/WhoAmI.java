package io.cnm.daemon.kernel;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A backend for load-balancing tests: inside a namespace it answers every TCP connection and UDP
 * datagram on a port with "NAME CLIENT", the client address it saw, until closed. A TCP
 * connection is answered line by line, so a test can keep one open across a change.
 */
public final class WhoAmI implements AutoCloseable {
  private final String name;
  private final ServerSocket tcp;
  private final DatagramSocket udp;

  public WhoAmI(NetNamespace ns, String name, String ip, int port) {
    this.name = name;
    this.tcp = ns.run(() -> {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(ip, port), 512);
      return s;
    });
    this.udp = ns.run(() -> new DatagramSocket(new InetSocketAddress(ip, port)));
    daemon("whoami-" + name, this::acceptLoop);
    daemon("whoami-udp-" + name, this::udpLoop);
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (!tcp.isClosed()) {
      try {
        Socket c = tcp.accept();
        daemon("whoami-conn-" + name, () -> serve(c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c) {
      InputStream in = c.getInputStream();
      OutputStream out = c.getOutputStream();
      String who = name + " " + ((InetSocketAddress) c.getRemoteSocketAddress()).getAddress().getHostAddress() + "\n";
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          out.write(who.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  private void udpLoop() {
    byte[] buf = new byte[512];
    while (!udp.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        byte[] who = (name + " " + p.getAddress().getHostAddress()).getBytes(StandardCharsets.UTF_8);
        udp.send(new DatagramPacket(who, who.length, p.getSocketAddress()));
      } catch (SocketException e) {
        return;
      } catch (IOException ignored) {
        // one bad datagram
      }
    }
  }

  /** One TCP exchange from inside the current namespace: "NAME CLIENT", or an exception. */
  public static String ask(String ip, int port, int timeoutMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      return askOn(s);
    }
  }

  /**
   * Opens connections from the current namespace until one is answered by {@code backend}, and
   * returns it open (to watch it across a change); fails after {@code tries}.
   */
  public static Socket openTo(String backend, String ip, int port, int tries, int timeoutMs) throws IOException {
    for (int i = 0; i < tries; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(ip, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      if (askOn(s).startsWith(backend + " ")) {
        return s;
      }
      s.close();
    }
    throw new AssertionError("no connection to " + ip + ":" + port + " landed on " + backend + " in " + tries + " tries");
  }

  /** One more line on an open connection. */
  public static String askOn(Socket s) throws IOException {
    s.getOutputStream().write('\n');
    s.getOutputStream().flush();
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = s.getInputStream().read()) >= 0 && b != '\n') {
      sb.append((char) b);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      tcp.close();
    } catch (IOException ignored) {
      // closing
    }
    udp.close();
  }
}
