package io.cnm.daemon.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few bytes of DNS wire format the forwarder writes itself (RFC 1035 4.1): a one-question query. */
public final class RawDns {
  private RawDns() {}

  /** A recursive query for {@code name} of {@code type} (1 A, 28 AAAA, ...) with transaction {@code id}. */
  public static byte[] query(int id, String name, int type) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(id >>> 8);
    out.write(id);
    out.write(0x01); // RD
    out.write(0x00);
    out.write(0);
    out.write(1); // QDCOUNT
    for (int i = 0; i < 6; i++) {
      out.write(0); // ANCOUNT, NSCOUNT, ARCOUNT
    }
    String n = Answerer.normalize(name);
    if (!n.isEmpty()) {
      for (String label : n.split("\\.")) {
        byte[] b = label.getBytes(StandardCharsets.US_ASCII);
        out.write(b.length);
        out.write(b, 0, b.length);
      }
    }
    out.write(0);
    out.write(type >>> 8);
    out.write(type);
    out.write(0);
    out.write(1); // IN
    return out.toByteArray();
  }

  /** The reply with its transaction id replaced (the client's id, not the forwarder's). */
  public static byte[] withId(byte[] message, int id) {
    byte[] copy = message.clone();
    copy[0] = (byte) (id >>> 8);
    copy[1] = (byte) id;
    return copy;
  }
}
