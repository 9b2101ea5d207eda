package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import java.util.List;

/** Lets tests of other packages query the embedded DNS of a sandbox. */
public final class DnsClientAccess {
  private DnsClientAccess() {}

  public static List<String> resolve(NetNamespace sandbox, String name) {
    DnsClient.Reply r = DnsClient.query(sandbox, DnsServer.ADDRESS, 53, name, 1, 3000);
    return r == null ? null : r.addresses();
  }
}
