package io.cnm.api.net;


/** MAC addresses as Docker's bridge driver derives them: 02:42 followed by the four IPv4 bytes. */
public final class MacAddresses {
  private MacAddresses() {}

  public static String fromIpv4(IpAddress ip) {
    byte[] b = ip.bytes();
    return String.format("02:42:%02x:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
  }

  /**
   * A locally administered unicast MAC from ten hex digits (a hash): 02 and five bytes, for an
   * endpoint that needs a MAC before it has an address (remote IPAM drivers that require one).
   */
  public static String fromHex(String hex10) {
    StringBuilder b = new StringBuilder("02");
    for (int i = 0; i < 10; i += 2) {
      b.append(':').append(hex10, i, i + 2);
    }
    return b.toString();
  }
}
