package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * A default address pool, as in Docker's {@code default-address-pools}: a base prefix carved
 * into subnets of prefix length {@code size}. Written {@code 10.0.0.0/8@24} in configuration.
 */
public record PoolSpec(Cidr base, int size) {
  public PoolSpec {
    if (size < base.prefixLength() || size > base.address().bitLength()) {
      throw new IllegalArgumentException("pool " + base + ": size /" + size + " must be between /" + base.prefixLength()
          + " and /" + base.address().bitLength());
    }
    base = base.masked();
  }

  /** Parses {@code base@size[,base@size...]}; a pool without {@code @size} is one subnet. */
  public static List<PoolSpec> parseList(String text) {
    List<PoolSpec> pools = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int at = p.indexOf('@');
      Cidr base = Cidr.tryParse(at < 0 ? p : p.substring(0, at))
          .orElseThrow(() -> new IllegalArgumentException("address pool '" + p + "': base is not a CIDR"));
      int size = at < 0 ? base.prefixLength() : Integer.parseInt(p.substring(at + 1).trim());
      pools.add(new PoolSpec(base, size));
    }
    return pools;
  }

  /** Number of subnets this pool yields. */
  long count() {
    return 1L << Math.min(62, size - base.prefixLength());
  }

  /** The i-th subnet of the pool. */
  Cidr subnet(long i) {
    var value = base.network().value().add(java.math.BigInteger.valueOf(i).shiftLeft(base.address().bitLength() - size));
    return Cidr.of(io.cnm.api.net.IpAddress.of(base.family(), value), size);
  }

  @Override
  public String toString() {
    return base + "@" + size;
  }
}
