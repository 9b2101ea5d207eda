package io.cnm.daemon.dns;

import io.cnm.api.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  /**
   * A sandbox, a name and a type. The name is kept as the bytes of its text (labels joined by
   * dots, lower case, one byte a character), so the fast path looks an answer up with a key it
   * fills in place, and makes no object per query. Only copies ({@link #copy}) are stored.
   */
  static final class NameKey {
    /** Longest name text kept: a name's wire form is at most 255 bytes (RFC 1035 2.3.4). */
    static final int MAX = 255;
    private String sandbox;
    private final byte[] name;
    private int length;
    private int type;
    private int hash;

    /** A probe for one thread's lookups, with a buffer of {@link #MAX} bytes. */
    NameKey() {
      this.name = new byte[MAX];
    }

    private NameKey(String sandbox, byte[] name, int length, int type, int hash) {
      this.sandbox = sandbox;
      this.name = name;
      this.length = length;
      this.type = type;
      this.hash = hash;
    }

    /** The buffer the caller writes a name's text into, before {@link #set}. */
    byte[] buffer() {
      return name;
    }

    /** Points this probe at the first {@code length} bytes of its buffer. */
    NameKey set(String sandbox, int length, int type) {
      this.sandbox = sandbox;
      this.length = length;
      this.type = type;
      int h = 31 * sandbox.hashCode() + type;
      for (int i = 0; i < length; i++) {
        h = 31 * h + name[i];
      }
      this.hash = h;
      return this;
    }

    /** A probe for a name given as text (tests and callers off the hot path). */
    static NameKey of(String sandbox, String name, int type) {
      byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
      if (bytes.length > MAX) {
        throw new IllegalArgumentException("name longer than " + MAX + " bytes");
      }
      NameKey k = new NameKey();
      System.arraycopy(bytes, 0, k.name, 0, bytes.length);
      return k.set(sandbox, bytes.length, type);
    }

    NameKey copy() {
      return new NameKey(sandbox, Arrays.copyOf(name, length), length, type, hash);
    }

    String text() {
      return new String(name, 0, length, StandardCharsets.ISO_8859_1);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NameKey k && k.hash == hash && k.type == type && k.length == length && k.sandbox.equals(sandbox)
          && Arrays.equals(name, 0, length, k.name, 0, k.length);
    }
  }

  final DnsRecords records;
  private final ConcurrentHashMap<NameKey, Encoded> answers = new ConcurrentHashMap<>();

  EncodedAnswers(DnsRecords records) {
    this.records = records;
  }

  /**
   * @param key the name lower case, without the trailing dot; type 1 (A) or 28 (AAAA). Not kept:
   *     a probe can be filled again for the next query
   * @return the encoded answer, or {@link #FORWARD}; only local answers are kept (bounded by the
   *     records), so names queried to be forwarded cannot grow the map
   */
  Encoded get(NameKey key) {
    Encoded e = answers.get(key);
    if (e == null) {
      e = encode(key.sandbox, key.text(), key.type);
      if (e != FORWARD) {
        answers.putIfAbsent(key.copy(), e);
      }
    }
    return e;
  }

  /** The answers kept: one per sandbox, name and type asked, however the name was spelled. */
  int size() {
    return answers.size();
  }

  private Encoded encode(String sandbox, String name, int type) {
    Answerer.Answer a = Answerer.answer(records, sandbox, name, type == 1 ? 4 : 6);
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
