package io.cnm.daemon.gossip;

import java.net.InetSocketAddress;

/** A member as this node sees it (read-only snapshot). */
public record Member(String name, InetSocketAddress address, long incarnation, State state, long since) {
  public enum State {
    ALIVE, SUSPECT, DEAD, LEFT;

    public boolean gone() {
      return this == DEAD || this == LEFT;
    }
  }
}
