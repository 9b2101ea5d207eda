package io.cnm.daemon.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A layer-3 TUN device without packet information (IFF_TUN | IFF_NO_PI): each read returns one
 * IP packet the kernel routed to the device, each write hands one to the kernel as received on
 * it. Created in the namespace of the calling thread (run it inside {@code NetNamespace.run}).
 * Reads block; one reader thread and one writer thread may use it at once.
 */
public final class TunDevice implements AutoCloseable {
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final int O_NONBLOCK = 0x800;
  private static final int EAGAIN = 11;
  private static final long TUNSETIFF = 0x400454caL;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final int IFNAMSIZ = 16;

  /** The libc calls a TUN device needs. */
  interface Lib extends Library {
    Lib INSTANCE = Native.load("c", Lib.class);

    int open(String path, int flags) throws LastErrorException;

    int ioctl(int fd, long request, byte[] ifreq) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  /**
   * The per-packet calls, mapped directly (JNA's fastest binding) and without exceptions: an empty
   * queue (EAGAIN) after each packet is the common case, and an exception per packet cost more than
   * the packet. Errors are read from {@link Native#getLastError()}.
   */
  static final class Fast {
    static {
      Native.register("c");
    }

    private Fast() {}

    static native long read(int fd, com.sun.jna.Pointer buf, long len);

    static native long write(int fd, com.sun.jna.Pointer buf, long len);

    /** poll(2) on one fd: {@code pollfd} is {fd, events | revents << 16} on little-endian x86-64. */
    static native int poll(int[] pollfd, int nfds, int timeoutMs);
  }

  private final int fd;
  private final String name;
  private final Memory readBuf = new Memory(65_536);
  private final Memory writeBuf = new Memory(65_536);
  private volatile boolean closed;

  private TunDevice(int fd, String name) {
    this.fd = fd;
    this.name = name;
  }

  /** Creates (or attaches to) TUN device {@code name} in the calling thread's network namespace; it starts down. */
  public static TunDevice open(String name) throws IOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length >= IFNAMSIZ) {
      throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
    }
    int fd;
    try {
      fd = Lib.INSTANCE.open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    } catch (LastErrorException e) {
      throw new IOException("cannot open /dev/net/tun (errno " + e.getErrorCode() + "): the kernel's TUN driver is needed", e);
    }
    byte[] ifreq = new byte[40];
    System.arraycopy(nameBytes, 0, ifreq, 0, nameBytes.length);
    short flags = (short) (IFF_TUN | IFF_NO_PI);
    ifreq[16] = (byte) flags;
    ifreq[17] = (byte) (flags >> 8);
    try {
      Lib.INSTANCE.ioctl(fd, TUNSETIFF, ifreq);
    } catch (LastErrorException e) {
      Lib.INSTANCE.close(fd);
      throw new IOException("TUNSETIFF " + name + " failed (errno " + e.getErrorCode() + ")", e);
    }
    return new TunDevice(fd, name);
  }

  public String name() {
    return name;
  }

  /** Blocks for the next packet; its length, copied into {@code into}; -1 once closed (noticed within 200 ms). */
  public int read(byte[] into) throws IOException {
    int[] pollfd = {fd, 1};
    while (true) {
      int n = readNow(into);
      if (n != 0) {
        return n;
      }
      // Nothing queued: wait in short polls (a read blocked in the kernel would not see close(2) from another thread).
      pollfd[1] = 1;
      Fast.poll(pollfd, 1, 200);
    }
  }


  /** The next packet if one is queued (its length, copied into {@code into}), else 0; -1 once closed. */
  public int readNow(byte[] into) throws IOException {
    if (closed) {
      return -1;
    }
    long n = Fast.read(fd, readBuf, Math.min(into.length, readBuf.size()));
    if (n >= 0) {
      readBuf.read(0, into, 0, (int) n);
      return (int) n;
    }
    int errno = Native.getLastError();
    if (errno == EAGAIN) {
      return 0;
    }
    if (closed) {
      return -1;
    }
    throw new IOException("read from " + name + " failed (errno " + errno + ")");
  }

  /** Hands one IP packet to the kernel, as if it arrived on the device. */
  public synchronized void write(byte[] packet, int offset, int length) throws IOException {
    writeBuf.write(0, packet, offset, length);
    if (Fast.write(fd, writeBuf, length) < 0) {
      throw new IOException("write to " + name + " failed (errno " + Native.getLastError() + ")");
    }
  }

  /** Closes the file (after a reader has seen it closing); the device goes with it (it is not persistent). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        Thread.sleep(250); // a reader in poll() sees closed before the fd number can be reused
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Lib.INSTANCE.close(fd);
    }
  }
}
