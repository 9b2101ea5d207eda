package io.cnm.api.net;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** An IPv4 or IPv6 address. Immutable; equality by family and bytes. */
public final class IpAddress implements Comparable<IpAddress> {
  private final byte[] bytes;

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Parses a textual address, or empty when it is not one. Never does a DNS lookup. */
  public static Optional<IpAddress> tryParse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return Optional.empty();
    }
    if (text.indexOf(':') < 0) {
      return parseV4(text);
    }
    // Only hex digits, colons and dots: InetAddress then parses a literal and never resolves.
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
      if (!ok) {
        return Optional.empty();
      }
    }
    try {
      InetAddress a = InetAddress.getByName(text);
      // Java folds ::ffff:a.b.c.d into an Inet4Address; Kubernetes rejects IPv4-mapped IPv6.
      if (!(a instanceof Inet6Address)) {
        return Optional.empty();
      }
      return Optional.of(new IpAddress(a.getAddress()));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public static IpAddress parse(String text) {
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException("not an IP address: " + text));
  }

  private static Optional<IpAddress> parseV4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return Optional.empty();
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 10);
        if (d < 0) {
          return Optional.empty();
        }
        v = v * 10 + d;
      }
      if (v > 255) {
        return Optional.empty();
      }
      b[i] = (byte) v;
    }
    return Optional.of(new IpAddress(b));
  }

  /** An IPv4 address from its 32-bit value. */
  public static IpAddress ofV4(long value) {
    return new IpAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
  }

  /** An address of the given family from its unsigned value. */
  public static IpAddress of(int family, BigInteger value) {
    int len = family == 4 ? 4 : 16;
    byte[] raw = value.toByteArray();
    byte[] b = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, b, len - copy, copy);
    return new IpAddress(b);
  }

  /** 4 or 6. */
  public int family() {
    return bytes.length == 4 ? 4 : 6;
  }

  public int bitLength() {
    return bytes.length * 8;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** The unsigned value of the address. */
  public BigInteger value() {
    return new BigInteger(1, bytes);
  }

  /** The 32-bit value of an IPv4 address. */
  public long v4Value() {
    if (bytes.length != 4) {
      throw new IllegalStateException("not IPv4: " + this);
    }
    return ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8) | (bytes[3] & 0xffL);
  }

  public InetAddress toInetAddress() {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    if (bytes.length == 4) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }
    return compressV6(toInetAddress());
  }

  /** RFC 5952 form: lower case, longest run of zero groups folded into "::". */
  private static String compressV6(InetAddress a) {
    String[] groups = ((Inet6Address) a).getHostAddress().split("%")[0].split(":");
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < groups.length; ) {
      if (Integer.parseInt(groups[i], 16) != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < groups.length && Integer.parseInt(groups[j], 16) == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < groups.length; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(Integer.parseInt(groups[i], 16)));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(IpAddress o) {
    if (bytes.length != o.bytes.length) {
      return Integer.compare(bytes.length, o.bytes.length);
    }
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
