package io.cnm.daemon.dns;

import io.cnm.api.net.IpAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers to local names already in wire format, per sandbox, name and type, made once from a
 * {@link DnsRecords} snapshot and dropped with it. Each answer record names the question by a
 * compression pointer to offset 12 (RFC 1035 4.1.4), so the bytes do not depend on how the
 * client spelled the name: a reply is the client's header and question followed by these bytes.
 */
final class EncodedAnswers {
  /** Not ours: the slow path forwards it. */
  static final Encoded FORWARD = new Encoded(new byte[0][], 0);

  /**
   * The answer section in every rotation (multi-address answers rotate as Docker's resolver does).
   *
   * @param count the records in each
   */
  record Encoded(byte[][] rotations, int count) {}

  private record Key(String sandbox, String name, int type) {}

  final DnsRecords records;
  private final ConcurrentHashMap<Key, Encoded> answers = new ConcurrentHashMap<>();

  EncodedAnswers(DnsRecords records) {
    this.records = records;
  }

  /**
   * @param name lower case, without the trailing dot; type 1 (A) or 28 (AAAA)
   * @return the encoded answer, or {@link #FORWARD}; only local answers are kept (bounded by the
   *     records), so names queried to be forwarded cannot grow the map
   */
  Encoded get(String sandbox, String name, int type) {
    Key k = new Key(sandbox, name, type);
    Encoded e = answers.get(k);
    if (e == null) {
      e = encode(k);
      if (e != FORWARD) {
        answers.putIfAbsent(k, e);
      }
    }
    return e;
  }

  private Encoded encode(Key k) {
    Answerer.Answer a = Answerer.answer(records, k.sandbox(), k.name(), k.type() == 1 ? 4 : 6);
    if (!(a instanceof Answerer.Local local)) {
      return FORWARD;
    }
    List<IpAddress> ips = local.addresses();
    int n = Math.max(1, ips.size());
    byte[][] rotations = new byte[n][];
    for (int r = 0; r < n; r++) {
      List<IpAddress> order = Answerer.rotate(ips, r);
      int len = 0;
      for (IpAddress ip : order) {
        len += 12 + ip.bytes().length;
      }
      byte[] out = new byte[len];
      int p = 0;
      for (IpAddress ip : order) {
        byte[] addr = ip.bytes();
        out[p++] = (byte) 0xC0; // pointer to the question's name at offset 12
        out[p++] = 12;
        out[p++] = 0;
        out[p++] = (byte) (ip.family() == 4 ? 1 : 28);
        out[p++] = 0;
        out[p++] = 1; // IN
        out[p++] = (byte) (DnsHandler.TTL >>> 24);
        out[p++] = (byte) (DnsHandler.TTL >>> 16);
        out[p++] = (byte) (DnsHandler.TTL >>> 8);
        out[p++] = (byte) DnsHandler.TTL;
        out[p++] = 0;
        out[p++] = (byte) addr.length;
        System.arraycopy(addr, 0, out, p, addr.length);
        p += addr.length;
      }
      rotations[r] = out;
    }
    return new Encoded(rotations, ips.size());
  }
}
