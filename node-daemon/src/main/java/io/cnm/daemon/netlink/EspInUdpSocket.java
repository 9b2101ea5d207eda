package io.cnm.daemon.netlink;

import io.cnm.api.net.IpAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket on port 4500 marked {@code UDP_ENCAP_ESPINUDP} (RFC 3948): the kernel takes ESP
 * arriving in it to its xfrm input, as the kernel ESP path needs. It is only held open, never
 * read. Create it inside the namespace it is for.
 */
public final class EspInUdpSocket implements AutoCloseable {
  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int IPPROTO_UDP = 17;
  private static final int UDP_ENCAP = 100;
  private static final int UDP_ENCAP_ESPINUDP = 2;
  private final int fd;

  public EspInUdpSocket(IpAddress local, int port) {
    int s = LibC.INSTANCE.socket(AF_INET, SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
    try {
      LibC.INSTANCE.setsockopt(s, IPPROTO_UDP, UDP_ENCAP, new int[] {UDP_ENCAP_ESPINUDP}, 4);
      byte[] sa = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort((short) AF_INET)
          .order(java.nio.ByteOrder.BIG_ENDIAN).putShort((short) port).put(local.bytes()).array();
      LibC.INSTANCE.bind(s, sa, sa.length);
    } catch (RuntimeException e) {
      LibC.INSTANCE.close(s);
      throw new IllegalStateException("cannot open the ESP-in-UDP socket " + local + ":" + port + ": " + e.getMessage(), e);
    }
    this.fd = s;
  }

  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
  }
}
