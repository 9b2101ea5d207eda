package io.cnm.plugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 POST to a plugin and its answer, on a unix or TCP socket, all within a deadline:
 * connect, write and read never wait longer, so a plugin that accepts and never answers costs
 * the caller one timeout. The connection is closed after each call ({@code Connection: close}),
 * so the answer ends where the plugin closes; Content-Length and chunked bodies are read too.
 */
final class HttpExchange {
  static final String CONTENT_TYPE = "application/vnd.docker.plugins.v1+json";
  static final String ACCEPT = "application/vnd.docker.plugins.v1.2+json";
  private static final int MAX_ANSWER = 16 << 20;

  private HttpExchange() {}

  /** A status code and body. */
  record Answer(int status, byte[] body) {}

  static final class Timeout extends IOException {
    Timeout(String message) {
      super(message);
    }
  }

  static Answer post(SocketAddress address, String path, byte[] body, long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    SocketAddress target = address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()
        ? new InetSocketAddress(((InetSocketAddress) address).getHostString(), ((InetSocketAddress) address).getPort()) : address;
    try (SocketChannel ch = target instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Selector sel = Selector.open()) {
      ch.configureBlocking(false);
      SelectionKey key = ch.register(sel, 0);
      if (!ch.connect(target)) {
        await(sel, key, SelectionKey.OP_CONNECT, deadline, "connect");
        ch.finishConnect();
      }
      String head = "POST " + path + " HTTP/1.1\r\nHost: plugin\r\nUser-Agent: cnm-operator\r\nContent-Type: " + CONTENT_TYPE
          + "\r\nAccept: " + ACCEPT + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
      ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
      out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(body).flip();
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) {
          await(sel, key, SelectionKey.OP_WRITE, deadline, "send");
        }
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16384);
      while (true) {
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          if (complete(in.toByteArray())) {
            break; // a plugin that keeps the connection open after a whole answer
          }
          await(sel, key, SelectionKey.OP_READ, deadline, "answer");
          continue;
        }
        in.write(buf.array(), 0, n);
        if (in.size() > MAX_ANSWER) {
          throw new IOException("answer larger than " + MAX_ANSWER + " bytes");
        }
      }
      return parse(in.toByteArray());
    }
  }

  private static void await(Selector sel, SelectionKey key, int op, long deadline, String what) throws IOException {
    key.interestOps(op);
    long left = (deadline - System.nanoTime()) / 1_000_000L;
    if (left <= 0 || sel.select(left) == 0) {
      throw new Timeout("no " + what + " within the timeout");
    }
    sel.selectedKeys().clear();
  }

  private static int headerEnd(byte[] b) {
    for (int i = 0; i + 3 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Whether a Content-Length answer has arrived whole (chunked and close-delimited ones end with the connection). */
  private static boolean complete(byte[] b) {
    int end = headerEnd(b);
    if (end < 0) {
      return false;
    }
    long length = contentLength(new String(b, 0, end, StandardCharsets.ISO_8859_1));
    return length >= 0 && b.length - end - 4 >= length;
  }

  private static long contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("content-length")) {
        return Long.parseLong(line.substring(c + 1).trim());
      }
    }
    return -1;
  }

  static Answer parse(byte[] b) throws IOException {
    int end = headerEnd(b);
    if (end < 0) {
      throw new IOException("the answer is not HTTP (" + b.length + " bytes, no header end)");
    }
    String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
    String[] status = head.split("\r\n", 2)[0].split(" ");
    if (status.length < 2 || !status[0].startsWith("HTTP/")) {
      throw new IOException("the answer is not HTTP: " + head.split("\r\n", 2)[0]);
    }
    int code = Integer.parseInt(status[1]);
    int start = end + 4;
    long length = contentLength(head);
    if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      return new Answer(code, dechunk(b, start));
    }
    int to = length >= 0 ? (int) Math.min(b.length, start + length) : b.length;
    byte[] body = new byte[to - start];
    System.arraycopy(b, start, body, 0, body.length);
    return new Answer(code, body);
  }

  private static byte[] dechunk(byte[] b, int pos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (pos < b.length) {
      int eol = pos;
      while (eol + 1 < b.length && !(b[eol] == '\r' && b[eol + 1] == '\n')) {
        eol++;
      }
      String size = new String(b, pos, eol - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
      int n = Integer.parseInt(size, 16);
      if (n == 0) {
        break;
      }
      if (eol + 2 + n > b.length) {
        throw new IOException("chunked answer cut short");
      }
      out.write(b, eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    return out.toByteArray();
  }
}
