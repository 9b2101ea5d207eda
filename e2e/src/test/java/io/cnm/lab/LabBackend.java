package io.cnm.lab;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A service backend for the lab's load-balancing tests: a TCP server inside a sandbox that answers
 * each line with "NAME CLIENT-ADDRESS", and the client side of that exchange.
 */
final class LabBackend implements AutoCloseable {
  private final String name;
  private final ServerSocket server;

  LabBackend(String sandbox, int port) {
    this.name = sandbox;
    try (NetNamespace ns = NetNamespace.open("/run/netns/" + CnmLab.PREFIX + sandbox)) {
      this.server = ns.run(() -> {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(port), 512);
        return s;
      });
    }
    daemon(this::accept);
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "lab-backend");
    t.setDaemon(true);
    t.start();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        daemon(() -> serve(c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c) {
      InputStream in = c.getInputStream();
      OutputStream out = c.getOutputStream();
      byte[] who = (name + " " + ((InetSocketAddress) c.getRemoteSocketAddress()).getAddress().getHostAddress() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          out.write(who);
          out.flush();
        }
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  /** One exchange on an open connection: "NAME CLIENT". */
  static String askOn(Socket s) throws IOException {
    s.getOutputStream().write('\n');
    s.getOutputStream().flush();
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = s.getInputStream().read()) >= 0 && b != '\n') {
      sb.append((char) b);
    }
    return sb.toString();
  }

  /** Connects from the current namespace, asks once, closes. */
  static String ask(String ip, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), 3000);
      s.setSoTimeout(3000);
      return askOn(s);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
