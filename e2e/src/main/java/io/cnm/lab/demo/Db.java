package io.cnm.lab.demo;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The demo's backend (the seed uses consul): counts visits; each TCP connection gets the new count. */
public final class Db {
  private Db() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long count = 0;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(port));
      while (true) {
        try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
          out.write((++count + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }
}
