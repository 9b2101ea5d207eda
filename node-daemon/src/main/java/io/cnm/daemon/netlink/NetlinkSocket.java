package io.cnm.daemon.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink socket (NETLINK_ROUTE, or NETLINK_NETFILTER for {@link NfTables}). A netlink socket
 * acts in the network namespace it was created in, which is how {@link RouteNetlink} works inside a
 * sandbox without keeping a thread there.
 * Requests are serialized: one outstanding sequence number at a time.
 */
final class NetlinkSocket implements AutoCloseable {
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;

  private final int fd;
  private static final int RX_SIZE = 256 * 1024;
  private final int rxSize;
  private final com.sun.jna.Memory rx;
  private int seq;

  private NetlinkSocket(int fd, int rxSize) {
    this.fd = fd;
    this.rxSize = rxSize;
    this.rx = new com.sun.jna.Memory(rxSize);
  }

  /** A NETLINK_ROUTE socket in the calling thread's network namespace, for dumps of any size. */
  static NetlinkSocket open() {
    return open(LibC.NETLINK_ROUTE, RX_SIZE);
  }

  /**
   * A socket of this netlink protocol in the calling thread's network namespace, receiving into
   * a buffer of {@code rxSize} bytes (a question with a short answer needs no 256 KiB).
   */
  static NetlinkSocket open(int protocol, int rxSize) {
    int fd = LibC.INSTANCE.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
    LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, new int[] {1 << 20}, 4);
    return new NetlinkSocket(fd, rxSize);
  }

  /**
   * Sends the request and returns every reply message (each a buffer starting at its nlmsghdr).
   * Every request asks for an ACK or is a dump, so the reply always ends with NLMSG_ERROR (the
   * ACK, or the kernel's refusal) or NLMSG_DONE.
   */
  synchronized List<ByteBuffer> exchange(Message m, String what) {
    int s = ++seq;
    byte[] req = m.bytes(s);
    LibC.INSTANCE.send(fd, req, req.length, 0);
    List<ByteBuffer> out = new ArrayList<>();
    while (true) {
      int n = (int) LibC.INSTANCE.recv(fd, rx, rxSize, 0);
      ByteBuffer b = rx.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
      int p = 0;
      while (p + Message.HEADER <= n) {
        int len = b.getInt(p);
        int type = Short.toUnsignedInt(b.getShort(p + 4));
        int msgSeq = b.getInt(p + 8);
        if (len < Message.HEADER) {
          break;
        }
        if (msgSeq == s) {
          if (type == NLMSG_ERROR) {
            int err = b.getInt(p + Message.HEADER);
            if (err != 0) {
              throw new NetlinkException(what, -err);
            }
            return out;
          }
          if (type == NLMSG_DONE) {
            return out;
          }
          byte[] copy = new byte[len];
          b.get(p, copy);
          out.add(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()));
        }
        p += (len + 3) & ~3;
      }
    }
  }

  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
    rx.close();
  }
}
