package io.cnm.lab.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The demo's front end (the seed's docker-pets): on every request it resolves $DB through the
 * sandbox's resolver (the embedded DNS at 127.0.0.11), asks db for the visit count and answers.
 */
public final class Web {
  private Web() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String db = System.getenv().getOrDefault("DB", "db");
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", ex -> {
      String body;
      int code = 200;
      try {
        InetAddress addr = InetAddress.getByName(db);
        try (Socket s = new Socket(addr, 8500);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
          String how = db.equals(addr.getHostAddress()) ? "reached db directly at " + db + " on the LAN"
              : "found " + db + " at " + addr.getHostAddress() + " through the embedded DNS";
          body = "Docker Pets on cnm-lab\n" + "web (" + InetAddress.getLocalHost().getHostName() + ") " + how + "\n"
              + "db counts visit number " + in.readLine() + "\n";
        }
      } catch (Exception e) {
        code = 503;
        body = "web cannot reach " + db + ": " + e + "\n";
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(code, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }
}
