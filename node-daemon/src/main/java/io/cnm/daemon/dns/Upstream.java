package io.cnm.daemon.dns;

import java.util.concurrent.CompletableFuture;

/** The node's resolvers, where names the embedded DNS does not know are forwarded. */
public interface Upstream {
  /**
   * Forwards a query; completes with the raw reply, or exceptionally when no resolver answered in
   * time (the server then answers SERVFAIL: a client never waits on a silent hang).
   */
  CompletableFuture<byte[]> forward(String name, int type);
}
