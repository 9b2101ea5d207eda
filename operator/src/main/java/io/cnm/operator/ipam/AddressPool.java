package io.cnm.operator.ipam;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.operator.error.CnmException;
import io.cnm.operator.error.Reasons;
import java.math.BigInteger;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses of one subnet, for one address space (a cluster network, or a local network on
 * one node). A bitset indexed from the subnet's network address; dynamic allocation is serial
 * within the range (the subnet, or its ipRange), like libnetwork's bitseq with serial=true: it
 * continues after the last address handed out and wraps, so a released address is not reused
 * before the rest of the range, and a stale DNS cache does not reach its new owner. Every
 * address has an owner key, which makes allocation idempotent. Not thread-safe: {@link Ipam}
 * serializes access.
 */
final class AddressPool {
  /** Index space tracked in the bitset; larger (IPv6) subnets allocate dynamically from its start. */
  static final int MAX_TRACKED = 1 << 24;

  private final Cidr subnet;
  private final BigInteger base;
  private final int tracked;
  private final int rangeStart;
  private final int rangeEnd;
  private final BitSet used = new BitSet();
  private final Map<String, IpAddress> byOwner = new HashMap<>();
  private final Map<IpAddress, String> byAddress = new HashMap<>();
  private int cursor;
  private final int reservedCount;

  /**
   * @param subnet the network's subnet
   * @param range the ipRange to allocate dynamic addresses from, or null for the whole subnet
   * @param reserved addresses never handed out (gateway, auxAddresses)
   */
  AddressPool(Cidr subnet, Cidr range, Set<IpAddress> reserved) {
    this.subnet = subnet.masked();
    this.base = this.subnet.network().value();
    this.tracked = this.subnet.size().min(BigInteger.valueOf(MAX_TRACKED)).intValueExact();
    Cidr r = range == null ? this.subnet : range.masked();
    this.rangeStart = index(r.network());
    this.rangeEnd = Math.min(tracked - 1, r.last().value().subtract(base).min(BigInteger.valueOf(tracked - 1)).intValueExact());
    this.cursor = rangeStart;
    // The network address is never a host's; neither is IPv4's broadcast (except /31 and /32).
    if (subnet.family() == 4 && subnet.prefixLength() <= 30) {
      used.set(0);
      used.set(tracked - 1);
    } else if (subnet.family() == 6 && subnet.prefixLength() <= 126) {
      used.set(0);
    }
    for (IpAddress ip : reserved) {
      if (this.subnet.contains(ip) && index(ip) < tracked) {
        used.set(index(ip));
      }
    }
    this.reservedCount = used.cardinality();
  }

  /** Addresses marked used that neither an owner nor a reservation holds: always 0 unless there is a bug. */
  int leaked() {
    long farOwners = byOwner.values().stream().filter(ip -> index(ip) >= tracked).count();
    return used.cardinality() - reservedCount - (int) (byOwner.size() - farOwners);
  }

  Cidr subnet() {
    return subnet;
  }

  private int index(IpAddress ip) {
    BigInteger offset = ip.value().subtract(base);
    return offset.compareTo(BigInteger.valueOf(MAX_TRACKED)) >= 0 ? Integer.MAX_VALUE : offset.intValueExact();
  }

  private IpAddress at(int index) {
    return IpAddress.of(subnet.family(), base.add(BigInteger.valueOf(index)));
  }

  Optional<IpAddress> addressOf(String owner) {
    return Optional.ofNullable(byOwner.get(owner));
  }

  Optional<String> ownerOf(IpAddress ip) {
    return Optional.ofNullable(byAddress.get(ip));
  }

  boolean isFree(IpAddress ip) {
    return subnet.contains(ip) && index(ip) < tracked && !used.get(index(ip));
  }

  /** The owner's address, or the next free one of the range after the last handed out. */
  IpAddress allocate(String owner) {
    IpAddress mine = byOwner.get(owner);
    if (mine != null) {
      return mine;
    }
    int i = nextFree(cursor);
    if (i < 0) {
      throw new CnmException.Conflict(Reasons.POOL_EXHAUSTED,
          "no free address left in " + subnet + (rangeStart == 0 && rangeEnd == tracked - 1 ? "" : " (range " + at(rangeStart) + "-" + at(rangeEnd) + ")"));
    }
    return take(owner, i, true);
  }

  private int nextFree(int from) {
    int start = from > rangeEnd || from < rangeStart ? rangeStart : from;
    int i = used.nextClearBit(start);
    if (i <= rangeEnd) {
      return i;
    }
    i = used.nextClearBit(rangeStart);
    return i <= rangeEnd && i < start ? i : -1;
  }

  /** The next free address of the range (serial order) that also passes {@code ok}; empty when none. */
  Optional<IpAddress> nextFreeMatching(java.util.function.Predicate<IpAddress> ok) {
    int start = cursor > rangeEnd || cursor < rangeStart ? rangeStart : cursor;
    for (int i = used.nextClearBit(start); i <= rangeEnd; i = used.nextClearBit(i + 1)) {
      if (ok.test(at(i))) {
        return Optional.of(at(i));
      }
    }
    for (int i = used.nextClearBit(rangeStart); i < start; i = used.nextClearBit(i + 1)) {
      if (ok.test(at(i))) {
        return Optional.of(at(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Gives the owner a specific address (a static address, or one restored from status).
   * Restored addresses move the serial cursor past them, so a restarted operator keeps going
   * forward instead of reusing the addresses released just before it stopped.
   */
  IpAddress claim(String owner, IpAddress ip, boolean restore) {
    IpAddress mine = byOwner.get(owner);
    if (ip.equals(mine)) {
      return mine;
    }
    if (!subnet.contains(ip)) {
      throw new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE, ip + " is not in the network's subnet " + subnet);
    }
    int i = index(ip);
    if (i >= tracked) {
      throw new CnmException.InvalidConfig(Reasons.ADDRESS_OUT_OF_RANGE,
          ip + " is beyond the first " + MAX_TRACKED + " addresses of " + subnet + ", the part the IPAM tracks");
    }
    if (used.get(i)) {
      String holder = byAddress.get(ip);
      throw new CnmException.Conflict(Reasons.ADDRESS_IN_USE, ip + " is already in use"
          + (holder == null ? " (reserved: network, broadcast, gateway or auxiliary address)" : " by " + holder), holder);
    }
    if (mine != null) {
      release(owner);
    }
    return take(owner, i, restore);
  }

  private IpAddress take(String owner, int i, boolean moveCursor) {
    used.set(i);
    IpAddress ip = at(i);
    byOwner.put(owner, ip);
    byAddress.put(ip, owner);
    if (moveCursor && i >= rangeStart && i <= rangeEnd) {
      cursor = Math.max(cursor, i + 1);
    }
    return ip;
  }

  /** Frees the owner's address; true when it held one. */
  boolean release(String owner) {
    IpAddress ip = byOwner.remove(owner);
    if (ip == null) {
      return false;
    }
    byAddress.remove(ip);
    used.clear(index(ip));
    return true;
  }

  int allocatedCount() {
    return byOwner.size();
  }

  /** Addresses still free for dynamic allocation in the range. */
  int freeInRange() {
    return (rangeEnd - rangeStart + 1) - used.get(rangeStart, rangeEnd + 1).cardinality();
  }

  Map<String, IpAddress> allocations() {
    return Map.copyOf(byOwner);
  }
}
