package io.cnm.daemon.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one netlink request: the nlmsghdr, a family header (ifinfomsg, ifaddrmsg, rtmsg, ndmsg)
 * written by the caller, then rtattr attributes, nested ones included. Host byte order, 4-byte
 * alignment, as netlink(7) and rtnetlink(7) say.
 */
final class Message {
  static final int HEADER = 16;

  private final ByteBuffer buf = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
  private final Deque<Integer> nests = new ArrayDeque<>();

  Message(int type, int flags) {
    buf.putInt(0);
    buf.putShort((short) type);
    buf.putShort((short) flags);
    buf.putInt(0);
    buf.putInt(0);
  }

  Message u8(int v) {
    buf.put((byte) v);
    return this;
  }

  Message u16(int v) {
    buf.putShort((short) v);
    return this;
  }

  Message u32(int v) {
    buf.putInt(v);
    return this;
  }

  Message attr(int type, byte[] data) {
    int len = 4 + data.length;
    buf.putShort((short) len);
    buf.putShort((short) type);
    buf.put(data);
    pad();
    return this;
  }

  Message attrString(int type, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    byte[] z = new byte[b.length + 1];
    System.arraycopy(b, 0, z, 0, b.length);
    return attr(type, z);
  }

  Message attrU32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
  }

  Message attrU8(int type, int v) {
    return attr(type, new byte[] {(byte) v});
  }

  /** A 16-bit value in host byte order (a VLAN id). */
  Message attrU16(int type, int v) {
    return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
  }

  /** A 16-bit value in network byte order (VXLAN's UDP port). */
  Message attrBe16(int type, int v) {
    return attr(type, new byte[] {(byte) (v >>> 8), (byte) v});
  }

  Message begin(int type) {
    nests.push(buf.position());
    buf.putShort((short) 0);
    buf.putShort((short) type);
    return this;
  }

  Message end() {
    int start = nests.pop();
    buf.putShort(start, (short) (buf.position() - start));
    return this;
  }

  private void pad() {
    while (buf.position() % 4 != 0) {
      buf.put((byte) 0);
    }
  }

  /** The finished bytes with length and sequence number filled in. */
  byte[] bytes(int seq) {
    pad();
    int len = buf.position();
    buf.putInt(0, len);
    buf.putInt(8, seq);
    byte[] out = new byte[len];
    buf.get(0, out);
    return out;
  }
}
