package io.cnm.daemon.netlink;

import io.cnm.daemon.netns.NetNamespace;

/**
 * Asks nf_tables over netlink whether a namespace has a table: one request on a socket opened
 * there, no library context and no transaction. A transaction that only removes a table that is
 * not there still costs a commit (about 13 ms here); this question costs a fraction of a
 * millisecond, so a pass can ask it of hundreds of sandboxes.
 */
public final class NfTables {
  /** NFPROTO_INET: the inet family (IPv4 and IPv6 in one table). */
  public static final int INET = 1;
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFT_MSG_GETTABLE = 1;
  private static final int NFTA_TABLE_NAME = 1;

  private NfTables() {}

  /** Whether the namespace has the table {@code name} of this family. */
  public static boolean hasTable(NetNamespace ns, int family, String name) {
    try (NetlinkSocket socket = ns.run(() -> NetlinkSocket.open(LibC.NETLINK_NETFILTER, 16 * 1024))) {
      // nfgenmsg: family, NFNETLINK_V0, res_id 0; then the table's name.
      Message get = new Message(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, RouteNetlink.NLM_F_REQUEST | RouteNetlink.NLM_F_ACK)
          .u8(family).u8(0).u16(0).attrString(NFTA_TABLE_NAME, name);
      return !socket.exchange(get, "get nf_tables table " + name).isEmpty();
    } catch (NetlinkException e) {
      if (e.errno() == NetlinkException.ENOENT) {
        return false;
      }
      throw e;
    }
  }
}
