package io.cnm.daemon.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** rtattr attributes of one message (or of a nested attribute), by type. */
final class Attributes {
  private final Map<Integer, ByteBuffer> byType = new HashMap<>();

  /** Parses attributes from {@code start} to {@code end} of the buffer. */
  Attributes(ByteBuffer b, int start, int end) {
    int p = start;
    while (p + 4 <= end) {
      int len = Short.toUnsignedInt(b.getShort(p));
      int type = Short.toUnsignedInt(b.getShort(p + 2)) & 0x3fff;
      if (len < 4 || p + len > end) {
        break;
      }
      byType.put(type, b.slice(p + 4, len - 4).order(ByteOrder.nativeOrder()));
      p += (len + 3) & ~3;
    }
  }

  boolean has(int type) {
    return byType.containsKey(type);
  }

  String string(int type) {
    ByteBuffer v = byType.get(type);
    if (v == null) {
      return null;
    }
    byte[] b = new byte[v.remaining()];
    v.duplicate().get(b);
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.US_ASCII);
  }

  Integer u32(int type) {
    ByteBuffer v = byType.get(type);
    return v == null || v.remaining() < 4 ? null : v.getInt(0);
  }

  byte[] bytes(int type) {
    ByteBuffer v = byType.get(type);
    if (v == null) {
      return null;
    }
    byte[] b = new byte[v.remaining()];
    v.duplicate().get(b);
    return b;
  }

  Attributes nested(int type) {
    ByteBuffer v = byType.get(type);
    return v == null ? new Attributes(ByteBuffer.allocate(0), 0, 0) : new Attributes(v, 0, v.remaining());
  }
}
