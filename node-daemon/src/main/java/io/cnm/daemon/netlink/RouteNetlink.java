package io.cnm.daemon.netlink;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.netns.NetNamespace;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** {@link Netlink} over a NETLINK_ROUTE socket opened in one network namespace. */
public final class RouteNetlink implements Netlink {
  // nlmsg types and flags (netlink(7), rtnetlink(7))
  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_SETLINK = 19;
  static final int RTM_NEWADDR = 20;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_GETROUTE = 26;
  static final int RTM_NEWRULE = 32;
  static final int RTM_DELRULE = 33;
  static final int RTM_GETRULE = 34;
  static final int FRA_PRIORITY = 6;
  static final int FRA_FWMARK = 10;
  static final int FRA_TABLE = 15;
  static final int FRA_FWMASK = 16;
  static final int FR_ACT_TO_TBL = 1;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  static final int RTM_GETNEIGH = 30;
  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;
  static final int NUD_PERMANENT = 0x80;
  static final int NTF_SELF = 0x02;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  // link attributes
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MTU = 4;
  static final int IFLA_LINK = 5;
  static final int IFLA_MASTER = 10;
  static final int IFLA_IFALIAS = 20;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_NET_NS_FD = 28;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int VETH_INFO_PEER = 1;
  static final int IFLA_VXLAN_ID = 1;
  static final int IFLA_VXLAN_LOCAL = 4;
  static final int IFLA_VXLAN_LEARNING = 7;
  static final int IFLA_VXLAN_PROXY = 11;
  static final int IFLA_VXLAN_PORT = 15;
  static final int IFLA_MACVLAN_MODE = 1;
  static final int IFLA_VLAN_ID = 1;
  static final int IFF_UP = 1;
  static final int IFLA_PROTINFO = 12;
  static final int IFLA_BRPORT_ISOLATED = 33;
  static final int NLA_F_NESTED = 0x8000;
  static final int AF_BRIDGE = 7;
  // address and route attributes
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_TABLE = 15;
  static final int RT_TABLE_MAIN = 254;
  static final int RTPROT_BOOT = 3;
  static final int RTN_UNICAST = 1;
  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  private final NetlinkSocket socket;

  private RouteNetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Netlink in the calling thread's namespace (the node's, for the daemon). */
  public static RouteNetlink here() {
    return new RouteNetlink(NetlinkSocket.open());
  }

  /** Netlink in another namespace: the socket is created there and then used from any thread. */
  public static RouteNetlink in(NetNamespace ns) {
    return new RouteNetlink(ns.run(NetlinkSocket::open));
  }

  private static Message ifinfo(int type, int flags, int index, int ifFlags, int change) {
    return new Message(type, NLM_F_REQUEST | flags).u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
  }

  @Override
  public List<Link> links() {
    List<Link> out = new ArrayList<>();
    for (ByteBuffer m : socket.exchange(ifinfo(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0), "list links")) {
      out.add(parseLink(m));
    }
    return out;
  }

  private static Link parseLink(ByteBuffer m) {
    int index = m.getInt(Message.HEADER + 4);
    int flags = m.getInt(Message.HEADER + 8);
    Attributes a = new Attributes(m, Message.HEADER + 16, m.getInt(0));
    byte[] mac = a.bytes(IFLA_ADDRESS);
    String macText = mac == null || mac.length != 6 ? null : HexFormat.ofDelimiter(":").formatHex(mac);
    Integer mtu = a.u32(IFLA_MTU);
    Integer master = a.u32(IFLA_MASTER);
    return new Link(index, a.string(IFLA_IFNAME), a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND),
        mtu == null ? 0 : mtu, macText, (flags & IFF_UP) != 0, master == null ? 0 : master, a.string(IFLA_IFALIAS));
  }

  /** One targeted RTM_GETLINK by name: constant time however many links the node has (a dump is not). */
  @Override
  public Optional<Link> link(String name) {
    try {
      List<ByteBuffer> r = socket.exchange(ifinfo(RTM_GETLINK, NLM_F_ACK, 0, 0, 0).attrString(IFLA_IFNAME, name), "get link " + name);
      return r.isEmpty() ? Optional.empty() : Optional.of(parseLink(r.get(0)));
    } catch (NetlinkException e) {
      if (e.errno() == NetlinkException.ENODEV) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * A request for the link with this name, addressed by the name itself (ifi_index 0 and
   * IFLA_IFNAME, which the kernel looks up): one request where an index lookup first made two. A
   * missing link is ENODEV either way.
   */
  private static Message named(int type, String name, int ifFlags, int change) {
    return ifinfo(type, NLM_F_ACK, 0, ifFlags, change).attrString(IFLA_IFNAME, name);
  }

  private int index(String name) {
    return link(name).orElseThrow(() -> new NetlinkException("link " + name, NetlinkException.ENODEV)).index();
  }

  private void ack(Message m, String what) {
    socket.exchange(m, what);
  }

  private Message create(String name, int mtu) {
    Message m = ifinfo(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0).attrString(IFLA_IFNAME, name);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    return m;
  }

  @Override
  public void addBridge(String name, int mtu) {
    ack(create(name, mtu).begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "bridge").end(), "create bridge " + name);
  }

  @Override
  public void addVeth(String name, String peerName, int mtu, NetNamespace peerNamespace, String peerMac) {
    Message m = create(name, mtu).begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth").begin(IFLA_INFO_DATA)
        .begin(VETH_INFO_PEER).u8(AF_UNSPEC).u8(0).u16(0).u32(0).u32(0).u32(0)
        .attrString(IFLA_IFNAME, peerName);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    if (peerMac != null) {
      m.attr(IFLA_ADDRESS, mac(peerMac));
    }
    if (peerNamespace != null) {
      m.attrU32(IFLA_NET_NS_FD, peerNamespace.fd());
    }
    ack(m.end().end().end(), "create veth " + name + " / " + peerName);
  }

  @Override
  public void addVxlan(String name, int vni, int port, IpAddress local, int mtu) {
    Message m = create(name, mtu).begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "vxlan").begin(IFLA_INFO_DATA)
        .attrU32(IFLA_VXLAN_ID, vni).attrBe16(IFLA_VXLAN_PORT, port).attrU8(IFLA_VXLAN_LEARNING, 0)
        .attrU8(IFLA_VXLAN_PROXY, 1);
    if (local != null) {
      m.attr(IFLA_VXLAN_LOCAL, local.bytes());
    }
    ack(m.end().end(), "create vxlan " + name);
  }

  @Override
  public void addMacvlan(String name, String parent, String mode, int mtu) {
    int modeValue = switch (mode) {
      case "private" -> 1;
      case "vepa" -> 2;
      case "bridge" -> 4;
      case "passthru" -> 8;
      default -> throw new IllegalArgumentException("unknown macvlan mode " + mode);
    };
    ack(create(name, mtu).attrU32(IFLA_LINK, index(parent)).begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "macvlan")
        .begin(IFLA_INFO_DATA).attrU32(IFLA_MACVLAN_MODE, modeValue).end().end(), "create macvlan " + name + " on " + parent);
  }

  @Override
  public void addVlan(String name, String parent, int vlanId) {
    ack(create(name, 0).attrU32(IFLA_LINK, index(parent)).begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "vlan")
        .begin(IFLA_INFO_DATA).attrU16(IFLA_VLAN_ID, vlanId).end().end(), "create VLAN " + vlanId + " " + name + " on " + parent);
  }

  @Override
  public void deleteLink(String name) {
    ack(named(RTM_DELLINK, name, 0, 0), "delete link " + name);
  }

  @Override
  public void setUp(String name, boolean up) {
    ack(named(RTM_NEWLINK, name, up ? IFF_UP : 0, IFF_UP), "set " + name + (up ? " up" : " down"));
  }

  @Override
  public void setMaster(String name, String master) {
    ack(named(RTM_NEWLINK, name, 0, 0).attrU32(IFLA_MASTER, master == null ? 0 : index(master)),
        "set master of " + name);
  }

  @Override
  public void attachUp(String name, String bridge) {
    ack(named(RTM_NEWLINK, name, IFF_UP, IFF_UP).attrU32(IFLA_MASTER, index(bridge)),
        "attach " + name + " to " + bridge);
  }

  @Override
  public void setBridgePortIsolated(String name, boolean isolated) {
    // Port flags go through RTM_SETLINK with family AF_BRIDGE (as `bridge link set` does); RTM_NEWLINK ignores them.
    Message m = new Message(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK).u8(AF_BRIDGE).u8(0).u16(0).u32(index(name)).u32(0).u32(0)
        .begin(IFLA_PROTINFO | NLA_F_NESTED).attrU8(IFLA_BRPORT_ISOLATED, isolated ? 1 : 0).end();
    ack(m, "set bridge port " + name + " isolated " + isolated);
  }

  @Override
  public void setMtu(String name, int mtu) {
    ack(named(RTM_NEWLINK, name, 0, 0).attrU32(IFLA_MTU, mtu), "set mtu of " + name);
  }

  @Override
  public void setMac(String name, String mac) {
    ack(named(RTM_NEWLINK, name, 0, 0).attr(IFLA_ADDRESS, mac(mac)), "set mac of " + name);
  }

  @Override
  public void setAlias(String name, String alias) {
    ack(named(RTM_NEWLINK, name, 0, 0).attrString(IFLA_IFALIAS, alias), "set alias of " + name);
  }

  @Override
  public void rename(String name, String newName) {
    ack(ifinfo(RTM_NEWLINK, NLM_F_ACK, index(name), 0, 0).attrString(IFLA_IFNAME, newName), "rename " + name);
  }

  @Override
  public void moveTo(String name, NetNamespace namespace) {
    ack(named(RTM_NEWLINK, name, 0, 0).attrU32(IFLA_NET_NS_FD, namespace.fd()), "move " + name + " to " + namespace);
  }

  @Override
  public void addAddress(String link, Cidr address) {
    byte[] ip = address.address().bytes();
    Message m = new Message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)
        .u8(address.family() == 4 ? AF_INET : AF_INET6).u8(address.prefixLength()).u8(0).u8(0).u32(index(link))
        .attr(IFA_LOCAL, ip).attr(IFA_ADDRESS, ip);
    ack(m, "add address " + address + " to " + link);
  }

  @Override
  public List<Cidr> addresses(String link) {
    int index = index(link);
    List<Cidr> out = new ArrayList<>();
    Message m = new Message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP).u8(AF_UNSPEC).u8(0).u8(0).u8(0).u32(0);
    for (ByteBuffer r : socket.exchange(m, "list addresses")) {
      int prefix = Byte.toUnsignedInt(r.get(Message.HEADER + 1));
      if (r.getInt(Message.HEADER + 4) != index) {
        continue;
      }
      Attributes a = new Attributes(r, Message.HEADER + 8, r.getInt(0));
      byte[] ip = a.has(IFA_LOCAL) ? a.bytes(IFA_LOCAL) : a.bytes(IFA_ADDRESS);
      if (ip != null) {
        out.add(Cidr.of(IpAddress.of(ip.length == 4 ? 4 : 6, new java.math.BigInteger(1, ip)), prefix));
      }
    }
    return out;
  }

  @Override
  public void addRoute(Cidr destination, IpAddress gateway, String device) {
    addRoute(destination, gateway, device, RT_TABLE_MAIN);
  }

  @Override
  public void addRoute(Cidr destination, IpAddress gateway, String device, int table) {
    int family = gateway != null ? gateway.family() : destination == null ? 4 : destination.family();
    Message m = new Message(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)
        .u8(family == 4 ? AF_INET : AF_INET6).u8(destination == null ? 0 : destination.prefixLength()).u8(0).u8(0)
        .u8(table < 256 ? table : 0).u8(RTPROT_BOOT).u8(0).u8(RTN_UNICAST).u32(0);
    if (table != RT_TABLE_MAIN) {
      m.attrU32(RTA_TABLE, table);
    }
    if (destination != null && destination.prefixLength() > 0) {
      m.attr(RTA_DST, destination.network().bytes());
    }
    if (gateway != null) {
      m.attr(RTA_GATEWAY, gateway.bytes());
    }
    if (device != null) {
      m.attrU32(RTA_OIF, index(device));
    }
    ack(m, "add route " + (destination == null ? "default" : destination) + (gateway == null ? "" : " via " + gateway));
  }

  @Override
  public List<Route> routes() {
    return routes(RT_TABLE_MAIN);
  }

  @Override
  public List<Route> routes(int wanted) {
    List<Route> out = new ArrayList<>();
    Message m = new Message(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP).u8(AF_UNSPEC).u8(0).u8(0).u8(0)
        .u8(0).u8(0).u8(0).u8(0).u32(0);
    for (ByteBuffer r : socket.exchange(m, "list routes")) {
      int family = Byte.toUnsignedInt(r.get(Message.HEADER)) == AF_INET ? 4 : 6;
      int dstLen = Byte.toUnsignedInt(r.get(Message.HEADER + 1));
      Attributes a = new Attributes(r, Message.HEADER + 12, r.getInt(0));
      Integer table = a.u32(RTA_TABLE);
      if ((table == null ? Byte.toUnsignedInt(r.get(Message.HEADER + 4)) : table) != wanted) {
        continue;
      }
      byte[] dst = a.bytes(RTA_DST);
      IpAddress d = dst == null ? IpAddress.of(family, java.math.BigInteger.ZERO) : IpAddress.of(family, new java.math.BigInteger(1, dst));
      byte[] gw = a.bytes(RTA_GATEWAY);
      Integer oif = a.u32(RTA_OIF);
      out.add(new Route(Cidr.of(d, dstLen), gw == null ? null : IpAddress.of(family, new java.math.BigInteger(1, gw)),
          oif == null ? 0 : oif));
    }
    return out;
  }

  /** fib_rule_hdr (family, dst_len, src_len, tos, table, res1, res2, action, flags) and the mark rule's attributes. */
  private static Message markRule(int type, int flags, int fwmark, int table, int priority) {
    return new Message(type, NLM_F_REQUEST | flags).u8(AF_INET).u8(0).u8(0).u8(0).u8(table < 256 ? table : 0).u8(0).u8(0)
        .u8(FR_ACT_TO_TBL).u32(0).attrU32(FRA_PRIORITY, priority).attrU32(FRA_FWMARK, fwmark).attrU32(FRA_FWMASK, 0xFFFF_FFFF)
        .attrU32(FRA_TABLE, table);
  }

  @Override
  public void addMarkRule(int fwmark, int table, int priority) {
    try {
      // EXCL: the kernel would otherwise keep a second, identical rule.
      ack(markRule(RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, fwmark, table, priority),
          "add rule fwmark 0x" + Integer.toHexString(fwmark) + " lookup " + table);
    } catch (NetlinkException e) {
      if (e.errno() != NetlinkException.EEXIST) {
        throw e;
      }
    }
  }

  @Override
  public void deleteMarkRule(int fwmark, int table, int priority) {
    try {
      ack(markRule(RTM_DELRULE, NLM_F_ACK, fwmark, table, priority), "delete rule fwmark 0x" + Integer.toHexString(fwmark));
    } catch (NetlinkException e) {
      if (e.errno() != 2) { // ENOENT: not there
        throw e;
      }
    }
  }

  @Override
  public List<MarkRule> markRules() {
    List<MarkRule> out = new ArrayList<>();
    Message m = new Message(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP).u8(AF_INET).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    for (ByteBuffer r : socket.exchange(m, "list rules")) {
      Attributes a = new Attributes(r, Message.HEADER + 12, r.getInt(0));
      Integer mark = a.u32(FRA_FWMARK);
      if (mark == null) {
        continue;
      }
      Integer table = a.u32(FRA_TABLE);
      Integer priority = a.u32(FRA_PRIORITY);
      out.add(new MarkRule(mark, table == null ? Byte.toUnsignedInt(r.get(Message.HEADER + 4)) : table, priority == null ? 0 : priority));
    }
    return out;
  }

  private Message ndmsg(int type, int flags, int family, int index, int state, int ntFlags) {
    return new Message(type, NLM_F_REQUEST | flags).u8(family).u8(0).u16(0).u32(index).u16(state).u8(ntFlags).u8(0);
  }

  @Override
  public void addNeighbour(String device, IpAddress ip, String macAddress) {
    ack(ndmsg(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ip.family() == 4 ? AF_INET : AF_INET6, index(device),
        NUD_PERMANENT, 0).attr(NDA_DST, ip.bytes()).attr(NDA_LLADDR, mac(macAddress)), "add neighbour " + ip + " on " + device);
  }

  @Override
  public void addFdb(String device, String macAddress, IpAddress vtep) {
    // NLM_F_APPEND (0x800): a MAC may sit behind several VTEPs (as `bridge fdb append` allows).
    ack(ndmsg(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | 0x800, AF_BRIDGE, index(device), NUD_PERMANENT, NTF_SELF)
        .attr(NDA_LLADDR, mac(macAddress)).attr(NDA_DST, vtep.bytes()), "add fdb " + macAddress + " on " + device);
  }

  @Override
  public void deleteNeighbour(String device, IpAddress ip) {
    try {
      ack(ndmsg(RTM_DELNEIGH, NLM_F_ACK, ip.family() == 4 ? AF_INET : AF_INET6, index(device), 0, 0).attr(NDA_DST, ip.bytes()),
          "delete neighbour " + ip + " on " + device);
    } catch (NetlinkException e) {
      if (e.errno() != NetlinkException.ENOENT) {
        throw e;
      }
    }
  }

  @Override
  public void deleteFdb(String device, String macAddress, IpAddress vtep) {
    try {
      ack(ndmsg(RTM_DELNEIGH, NLM_F_ACK, AF_BRIDGE, index(device), 0, NTF_SELF).attr(NDA_LLADDR, mac(macAddress))
          .attr(NDA_DST, vtep.bytes()), "delete fdb " + macAddress + " on " + device);
    } catch (NetlinkException e) {
      if (e.errno() != NetlinkException.ENOENT) {
        throw e;
      }
    }
  }

  @Override
  public List<Neighbour> neighbours(String device) {
    return dumpNeighbours(AF_UNSPEC, device);
  }

  @Override
  public List<Neighbour> fdb(String device) {
    return dumpNeighbours(AF_BRIDGE, device);
  }

  private List<Neighbour> dumpNeighbours(int family, String device) {
    int index = index(device);
    List<Neighbour> out = new ArrayList<>();
    for (ByteBuffer r : socket.exchange(ndmsg(RTM_GETNEIGH, NLM_F_DUMP, family, index, 0, 0), "list neighbours of " + device)) {
      if (r.getInt(Message.HEADER + 4) != index) {
        continue;
      }
      int state = Short.toUnsignedInt(r.getShort(Message.HEADER + 8));
      Attributes a = new Attributes(r, Message.HEADER + 12, r.getInt(0));
      byte[] dst = a.bytes(NDA_DST);
      byte[] ll = a.bytes(NDA_LLADDR);
      out.add(new Neighbour(index, dst == null ? null : IpAddress.of(dst.length == 4 ? 4 : 6, new java.math.BigInteger(1, dst)),
          ll == null || ll.length != 6 ? null : HexFormat.ofDelimiter(":").formatHex(ll), (state & NUD_PERMANENT) != 0));
    }
    return out;
  }

  private static byte[] mac(String mac) {
    return HexFormat.ofDelimiter(":").parseHex(mac.toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public void close() {
    socket.close();
  }
}
