package io.cnm.api.net;


/** MAC addresses as Docker's bridge driver derives them: 02:42 followed by the four IPv4 bytes. */
public final class MacAddresses {
  private MacAddresses() {}

  public static String fromIpv4(IpAddress ip) {
    byte[] b = ip.bytes();
    return String.format("02:42:%02x:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
  }
}
