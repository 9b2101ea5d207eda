package io.cnm.api.net;

import java.math.BigInteger;
import java.util.Optional;

/** A prefix: an address and a prefix length. The address need not be the network address. */
public final class Cidr {
  private final IpAddress address;
  private final int prefixLength;

  private Cidr(IpAddress address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  public static Optional<Cidr> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      return Optional.empty();
    }
    Optional<IpAddress> ip = IpAddress.tryParse(text.substring(0, slash));
    String len = text.substring(slash + 1);
    if (ip.isEmpty() || len.isEmpty() || len.length() > 3 || (len.length() > 1 && len.charAt(0) == '0')) {
      return Optional.empty();
    }
    for (int i = 0; i < len.length(); i++) {
      if (!Character.isDigit(len.charAt(i))) {
        return Optional.empty();
      }
    }
    int bits = Integer.parseInt(len);
    if (bits > ip.get().bitLength()) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(ip.get(), bits));
  }

  public static Cidr parse(String text) {
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + text));
  }

  public static Cidr of(IpAddress address, int prefixLength) {
    if (prefixLength < 0 || prefixLength > address.bitLength()) {
      throw new IllegalArgumentException("bad prefix length " + prefixLength + " for " + address);
    }
    return new Cidr(address, prefixLength);
  }

  public IpAddress address() {
    return address;
  }

  public int prefixLength() {
    return prefixLength;
  }

  public int family() {
    return address.family();
  }

  private BigInteger hostMask() {
    return BigInteger.ONE.shiftLeft(address.bitLength() - prefixLength).subtract(BigInteger.ONE);
  }

  /** The network address (host bits cleared). */
  public IpAddress network() {
    return IpAddress.of(family(), address.value().andNot(hostMask()));
  }

  /** The last address of the prefix (the IPv4 broadcast address). */
  public IpAddress last() {
    return IpAddress.of(family(), address.value().or(hostMask()));
  }

  /** This prefix with host bits cleared. */
  public Cidr masked() {
    return new Cidr(network(), prefixLength);
  }

  public boolean isMasked() {
    return address.equals(network());
  }

  /** Number of addresses in the prefix. */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(address.bitLength() - prefixLength);
  }

  public boolean contains(IpAddress ip) {
    return ip.family() == family() && ip.value().andNot(hostMask()).equals(network().value());
  }

  public boolean contains(Cidr other) {
    return other.family() == family() && other.prefixLength >= prefixLength && contains(other.address);
  }

  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  @Override
  public String toString() {
    return address + "/" + prefixLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && c.address.equals(address);
  }

  @Override
  public int hashCode() {
    return address.hashCode() * 31 + prefixLength;
  }
}
