package io.cnm.daemon.udp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 UDP socket (made in the calling thread's namespace) that sends a run of equal-sized
 * datagrams to one peer in one {@code sendmsg} with {@code UDP_SEGMENT} (the kernel cuts them, as
 * late as the device allows), and receives with {@code UDP_GRO} on, so one {@code recvmsg} may
 * return several datagrams of one sender glued together with their size in a control message.
 * One sending thread and one receiving thread may use it at once.
 */
public final class GsoSocket implements AutoCloseable {
  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUF = 7;
  private static final int SO_RCVBUF = 8;
  private static final int SOL_UDP = 17;
  private static final int UDP_SEGMENT = 103;
  private static final int UDP_GRO = 104;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int EAGAIN = 11;
  private static final int EINTR = 4;
  private static final int POLLIN = 1;
  /** The kernel's limit of segments in one UDP GSO send. */
  public static final int MAX_SEGMENTS = 64;
  /** The most one send carries. */
  public static final int MAX_BYTES = 65_000;
  /** The most one receive returns: a whole IPv4 datagram's payload, which is what GRO coalesces up to. */
  public static final int MAX_RECEIVE = 65_536;

  interface Lib extends Library {
    Lib INSTANCE = Native.load("c", Lib.class);

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    int bind(int fd, byte[] sockaddr, int len) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  /** Per-datagram calls, mapped directly and without exceptions (errors from {@link Native#getLastError()}). */
  static final class Fast {
    static {
      Native.register("c");
    }

    private Fast() {}

    static native long sendmsg(int fd, Pointer msg, int flags);

    static native long recvmsg(int fd, Pointer msg, int flags);

    static native int poll(int[] pollfd, int nfds, int timeoutMs);
  }

  private final int fd;
  private final boolean gso;
  private volatile boolean closed;
  // Send side: msghdr, sockaddr, iovec, control message, data.
  private final Memory sendMsg = new Memory(56);
  private final Memory sendAddr = new Memory(16);
  private final Memory sendIov = new Memory(16);
  private final Memory sendCtl = new Memory(24);
  private final Memory sendData = new Memory(MAX_BYTES);
  // Receive side.
  private final Memory recvMsg = new Memory(56);
  private final Memory recvAddr = new Memory(16);
  private final Memory recvIov = new Memory(16);
  private final Memory recvCtl = new Memory(64);
  private final Memory recvData = new Memory(MAX_RECEIVE);

  private GsoSocket(int fd, boolean gso) {
    this.fd = fd;
    this.gso = gso;
    sendMsg.clear();
    sendMsg.setPointer(0, sendAddr);
    sendMsg.setInt(8, 16);
    sendMsg.setPointer(16, sendIov);
    sendMsg.setLong(24, 1);
    sendIov.setPointer(0, sendData);
    recvIov.setPointer(0, recvData);
    recvIov.setLong(8, MAX_RECEIVE);
  }

  /**
   * Binds {@code local:port} in the calling thread's namespace, with {@code buffer} bytes of send
   * and receive buffer. Without GSO/GRO in the kernel (before 4.18/5.0) it works one datagram a call.
   */
  public static GsoSocket bind(InetAddress local, int port, int buffer) throws IOException {
    if (!(local instanceof Inet4Address)) {
      throw new IllegalArgumentException("IPv4 only: " + local);
    }
    int s;
    try {
      s = Lib.INSTANCE.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw new IOException("socket(AF_INET, SOCK_DGRAM) failed (errno " + e.getErrorCode() + ")", e);
    }
    try {
      Lib.INSTANCE.setsockopt(s, SOL_SOCKET, SO_RCVBUF, new int[] {buffer}, 4);
      Lib.INSTANCE.setsockopt(s, SOL_SOCKET, SO_SNDBUF, new int[] {buffer}, 4);
      boolean gso = true;
      try {
        Lib.INSTANCE.setsockopt(s, SOL_UDP, UDP_GRO, new int[] {1}, 4);
      } catch (LastErrorException e) {
        gso = false; // an old kernel: one datagram per call
      }
      Lib.INSTANCE.bind(s, sockaddr(local.getAddress(), port), 16);
      return new GsoSocket(s, gso);
    } catch (LastErrorException e) {
      Lib.INSTANCE.close(s);
      throw new IOException("cannot bind UDP " + local.getHostAddress() + ":" + port + " (errno " + e.getErrorCode() + ")", e);
    }
  }

  private static byte[] sockaddr(byte[] ipv4, int port) {
    byte[] sa = new byte[16];
    sa[0] = (byte) AF_INET; // sa_family, little-endian
    sa[2] = (byte) (port >> 8);
    sa[3] = (byte) port;
    System.arraycopy(ipv4, 0, sa, 4, 4);
    return sa;
  }

  /** Whether the kernel took UDP_GRO (and so, alike, UDP_SEGMENT). */
  public boolean offloads() {
    return gso;
  }

  /**
   * Sends {@code count} datagrams of {@code segment} bytes each (the last may be shorter), laid
   * end to end in {@code data}, to {@code peer:port} (an IPv4 address as an int); one call when
   * the kernel segments, else one per datagram.
   */
  public synchronized void send(int peer, int port, byte[] data, int length, int segment) throws IOException {
    sendAddr.setShort(0, (short) AF_INET);
    sendAddr.setByte(2, (byte) (port >> 8));
    sendAddr.setByte(3, (byte) port);
    sendAddr.setByte(4, (byte) (peer >>> 24));
    sendAddr.setByte(5, (byte) (peer >>> 16));
    sendAddr.setByte(6, (byte) (peer >>> 8));
    sendAddr.setByte(7, (byte) peer);
    if (gso && length > segment) {
      sendData.write(0, data, 0, length);
      sendIov.setLong(8, length);
      sendCtl.setLong(0, 18); // CMSG_LEN(2)
      sendCtl.setInt(8, SOL_UDP);
      sendCtl.setInt(12, UDP_SEGMENT);
      sendCtl.setShort(16, (short) segment);
      sendMsg.setPointer(32, sendCtl);
      sendMsg.setLong(40, 24); // CMSG_SPACE(2)
      call(length);
      return;
    }
    sendMsg.setPointer(32, null);
    sendMsg.setLong(40, 0);
    for (int off = 0; off < length; off += segment) {
      int n = Math.min(segment, length - off);
      sendData.write(0, data, off, n);
      sendIov.setLong(8, n);
      call(n);
    }
  }

  private void call(int length) throws IOException {
    while (true) {
      long n = Fast.sendmsg(fd, sendMsg, 0);
      if (n >= 0) {
        return;
      }
      int errno = Native.getLastError();
      if (errno != EINTR) {
        throw new IOException("sendmsg of " + length + " bytes failed (errno " + errno + ")");
      }
    }
  }

  /** What one receive returned: the sender (IPv4 as an int), and the size of each datagram in it. */
  public static final class Received {
    public int from;
    public int segment;
  }

  /**
   * Blocks for datagrams; copies them into {@code into} (at least {@link #MAX_RECEIVE}) and returns
   * their total length, {@code meta} saying who sent them and how long each is; -1 once closed
   * (noticed within 200 ms).
   */
  public int receive(byte[] into, Received meta) throws IOException {
    int[] pollfd = {fd, POLLIN};
    while (!closed) {
      recvMsg.clear();
      recvMsg.setPointer(0, recvAddr);
      recvMsg.setInt(8, 16);
      recvMsg.setPointer(16, recvIov);
      recvMsg.setLong(24, 1);
      recvMsg.setPointer(32, recvCtl);
      recvMsg.setLong(40, recvCtl.size());
      long n = Fast.recvmsg(fd, recvMsg, MSG_DONTWAIT);
      if (n >= 0) {
        recvData.read(0, into, 0, (int) n);
        meta.from = ((recvAddr.getByte(4) & 0xFF) << 24) | ((recvAddr.getByte(5) & 0xFF) << 16) | ((recvAddr.getByte(6) & 0xFF) << 8)
            | (recvAddr.getByte(7) & 0xFF);
        meta.segment = (int) n;
        long ctlLen = recvMsg.getLong(40);
        for (long off = 0; off + 16 <= ctlLen; ) {
          long len = recvCtl.getLong(off);
          if (len < 16) {
            break;
          }
          if (recvCtl.getInt(off + 8) == SOL_UDP && recvCtl.getInt(off + 12) == UDP_GRO) {
            meta.segment = recvCtl.getInt(off + 16);
          }
          off += (len + 7) & ~7L;
        }
        return (int) n;
      }
      int errno = Native.getLastError();
      if (errno != EAGAIN && errno != EINTR) {
        if (closed) {
          return -1;
        }
        throw new IOException("recvmsg failed (errno " + errno + ")");
      }
      pollfd[1] = POLLIN;
      Fast.poll(pollfd, 1, 200);
    }
    return -1;
  }

  /** An IPv4 address as the int {@link #send} and {@link Received#from} use. */
  public static int ipv4(InetAddress a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        Thread.sleep(250); // a receiver in poll() sees closed before the descriptor number can be reused
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Lib.INSTANCE.close(fd);
    }
  }
}
