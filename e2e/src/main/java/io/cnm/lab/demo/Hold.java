package io.cnm.lab.demo;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * One long-lived TCP connection, to show it survives a node-daemon restart: {@code Hold serve PORT}
 * echoes numbers; {@code Hold ping HOST PORT} keeps one connection open, sends a number every 100 ms
 * and prints "ok N" per echo, or "broken" (and exits) when the connection fails.
 */
public final class Hold {
  private Hold() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("serve")) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(Integer.parseInt(args[1])));
        try (Socket c = s.accept(); DataInputStream in = new DataInputStream(c.getInputStream());
            DataOutputStream out = new DataOutputStream(c.getOutputStream())) {
          while (true) {
            out.writeLong(in.readLong());
            out.flush();
          }
        }
      }
    }
    try (Socket c = new Socket()) {
      c.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 3000);
      c.setSoTimeout(3000);
      DataOutputStream out = new DataOutputStream(c.getOutputStream());
      DataInputStream in = new DataInputStream(c.getInputStream());
      for (long n = 1; ; n++) {
        out.writeLong(n);
        out.flush();
        if (in.readLong() != n) {
          System.out.println("broken");
          return;
        }
        System.out.println("ok " + n);
        Thread.sleep(100);
      }
    } catch (Exception e) {
      System.out.println("broken " + e);
    }
  }
}
