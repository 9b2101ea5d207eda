package io.cnm.daemon.gossip;

import io.cnm.daemon.gossip.Message.Ack;
import io.cnm.daemon.gossip.Message.Alive;
import io.cnm.daemon.gossip.Message.Dead;
import io.cnm.daemon.gossip.Message.IndirectPing;
import io.cnm.daemon.gossip.Message.MemberState;
import io.cnm.daemon.gossip.Message.Nack;
import io.cnm.daemon.gossip.Message.NetworkEvent;
import io.cnm.daemon.gossip.Message.Ping;
import io.cnm.daemon.gossip.Message.PushPull;
import io.cnm.daemon.gossip.Message.Suspect;
import io.cnm.daemon.gossip.Message.TableEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format: a compound of messages, {@code version(1) count(2)} then per message
 * {@code type(1) length(2) body}. A receiver skips a message type it does not know (a newer
 * peer's), so the format can grow; a different version is dropped whole.
 */
public final class Codec {
  public static final byte VERSION = 1;

  private Codec() {}

  /** One message alone, with no compound header (for sizing). */
  public static byte[] body(Message m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A compound of already encoded bodies (see {@link #body}) with their types. */
  public static byte[] compound(List<byte[]> bodies) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeShort(bodies.size());
      for (byte[] b : bodies) {
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static byte[] encode(List<? extends Message> messages) {
    return compound(messages.stream().map(Codec::body).toList());
  }

  /** Decodes a compound; throws {@link IllegalArgumentException} on a malformed one. */
  public static List<Message> decode(byte[] packet) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(packet))) {
      if (in.readByte() != VERSION) {
        throw new IllegalArgumentException("unknown gossip version");
      }
      int n = in.readUnsignedShort();
      List<Message> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int type = in.readUnsignedByte();
        int len = type == 10 ? in.readInt() : in.readUnsignedShort();
        byte[] body = in.readNBytes(len);
        if (body.length != len) {
          throw new IllegalArgumentException("truncated gossip message");
        }
        Message m = read(type, new DataInputStream(new ByteArrayInputStream(body)));
        if (m != null) {
          out.add(m);
        }
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed gossip packet: " + e.getMessage(), e);
    }
  }

  private static void write(DataOutputStream out, Message m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(bytes);
    int type;
    if (m instanceof Ping p) {
      b.writeInt(p.seq());
      b.writeUTF(p.target());
      b.writeUTF(p.from());
      b.writeUTF(p.fromAddr());
      type = 1;
    } else if (m instanceof IndirectPing p) {
      b.writeInt(p.seq());
      b.writeUTF(p.target());
      b.writeUTF(p.targetAddr());
      b.writeUTF(p.from());
      b.writeUTF(p.fromAddr());
      b.writeBoolean(p.wantNack());
      type = 2;
    } else if (m instanceof Ack a) {
      b.writeInt(a.seq());
      b.writeUTF(a.from());
      type = 3;
    } else if (m instanceof Nack a) {
      b.writeInt(a.seq());
      b.writeUTF(a.from());
      type = 4;
    } else if (m instanceof Alive a) {
      b.writeUTF(a.name());
      b.writeUTF(a.addr());
      b.writeLong(a.incarnation());
      type = 5;
    } else if (m instanceof Suspect s) {
      b.writeUTF(s.name());
      b.writeLong(s.incarnation());
      b.writeUTF(s.from());
      type = 6;
    } else if (m instanceof Dead d) {
      b.writeUTF(d.name());
      b.writeLong(d.incarnation());
      b.writeUTF(d.from());
      type = 7;
    } else if (m instanceof NetworkEvent e) {
      writeNetworkEvent(b, e);
      type = 8;
    } else if (m instanceof TableEvent e) {
      writeTableEvent(b, e);
      type = 9;
    } else if (m instanceof PushPull p) {
      b.writeUTF(p.from());
      b.writeBoolean(p.join());
      b.writeInt(p.members().size());
      for (MemberState s : p.members()) {
        b.writeUTF(s.name());
        b.writeUTF(s.addr());
        b.writeLong(s.incarnation());
        b.writeByte(s.state());
      }
      b.writeInt(p.nodeNetworks().size());
      for (NetworkEvent e : p.nodeNetworks()) {
        writeNetworkEvent(b, e);
      }
      b.writeInt(p.networks().size());
      for (String n : p.networks()) {
        b.writeUTF(n);
      }
      b.writeInt(p.entries().size());
      for (TableEvent e : p.entries()) {
        writeTableEvent(b, e);
      }
      type = 10;
    } else {
      throw new IllegalArgumentException("unknown message " + m);
    }
    b.flush();
    out.writeByte(type);
    if (type == 10) {
      out.writeInt(bytes.size()); // a push/pull travels on a stream and may be large
    } else {
      out.writeShort(bytes.size());
    }
    bytes.writeTo(out);
  }

  private static void writeNetworkEvent(DataOutputStream b, NetworkEvent e) throws IOException {
    b.writeUTF(e.node());
    b.writeUTF(e.network());
    b.writeLong(e.ltime());
    b.writeBoolean(e.leave());
  }

  private static void writeTableEvent(DataOutputStream b, TableEvent e) throws IOException {
    b.writeUTF(e.network());
    b.writeUTF(e.table());
    b.writeUTF(e.key());
    b.writeUTF(e.owner());
    b.writeLong(e.ltime());
    b.writeBoolean(e.deleted());
    byte[] v = e.value() == null ? new byte[0] : e.value();
    b.writeShort(v.length);
    b.write(v);
  }

  private static NetworkEvent readNetworkEvent(DataInputStream in) throws IOException {
    return new NetworkEvent(in.readUTF(), in.readUTF(), in.readLong(), in.readBoolean());
  }

  private static TableEvent readTableEvent(DataInputStream in) throws IOException {
    String net = in.readUTF();
    String table = in.readUTF();
    String key = in.readUTF();
    String owner = in.readUTF();
    long ltime = in.readLong();
    boolean deleted = in.readBoolean();
    byte[] v = in.readNBytes(in.readUnsignedShort());
    return new TableEvent(net, table, key, owner, ltime, deleted, v);
  }

  private static Message read(int type, DataInputStream in) throws IOException {
    return switch (type) {
      case 1 -> new Ping(in.readInt(), in.readUTF(), in.readUTF(), in.readUTF());
      case 2 -> new IndirectPing(in.readInt(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readBoolean());
      case 3 -> new Ack(in.readInt(), in.readUTF());
      case 4 -> new Nack(in.readInt(), in.readUTF());
      case 5 -> new Alive(in.readUTF(), in.readUTF(), in.readLong());
      case 6 -> new Suspect(in.readUTF(), in.readLong(), in.readUTF());
      case 7 -> new Dead(in.readUTF(), in.readLong(), in.readUTF());
      case 8 -> readNetworkEvent(in);
      case 9 -> readTableEvent(in);
      case 10 -> {
        String from = in.readUTF();
        boolean join = in.readBoolean();
        int n = in.readInt();
        List<MemberState> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          members.add(new MemberState(in.readUTF(), in.readUTF(), in.readLong(), in.readByte()));
        }
        int k = in.readInt();
        List<NetworkEvent> nets = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          nets.add(readNetworkEvent(in));
        }
        int w = in.readInt();
        List<String> networks = new ArrayList<>(w);
        for (int i = 0; i < w; i++) {
          networks.add(in.readUTF());
        }
        int e = in.readInt();
        List<TableEvent> entries = new ArrayList<>(e);
        for (int i = 0; i < e; i++) {
          entries.add(readTableEvent(in));
        }
        yield new PushPull(from, join, members, nets, networks, entries);
      }
      default -> null; // a newer peer's message: skipped
    };
  }
}
