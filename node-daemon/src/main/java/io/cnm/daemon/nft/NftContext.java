package io.cnm.daemon.nft;

import com.sun.jna.Pointer;
import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link Nftables} through libnftables with one context kept open per namespace: no process to
 * start, and the context's netlink socket stays bound to the namespace it was made in, so a
 * change of a few set elements costs microseconds. Not for concurrent use (callers own one each).
 */
public final class NftContext implements Nftables {
  private Pointer ctx;

  private NftContext(Pointer ctx) {
    this.ctx = ctx;
  }

  /**
   * libnftables waits with select(): a socket whose descriptor is at or past FD_SETSIZE (1024) makes
   * glibc abort the process. A new socket takes the lowest free descriptor, so below this many open
   * descriptors a new context is safe.
   */
  public static final int SELECT_LIMIT = 960;

  /** How many descriptors the process holds (from /proc/self/fd). */
  public static long openDescriptors() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /** True when libnftables.so.1 could be loaded. */
  public static boolean available() {
    return LibNftables.INSTANCE != null;
  }

  /** A context acting in {@code ns} (null: the caller's own namespace). */
  public static NftContext open(NetNamespace ns) {
    if (!available()) {
      throw new IllegalStateException("libnftables.so.1 is not installed (Debian package libnftables1)");
    }
    Pointer p = ns == null ? make() : ns.run(NftContext::make);
    return new NftContext(p);
  }

  private static Pointer make() {
    LibNftables lib = LibNftables.INSTANCE;
    Pointer p = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
    if (p == null) {
      throw new IllegalStateException("nft_ctx_new failed");
    }
    lib.nft_ctx_buffer_output(p);
    lib.nft_ctx_buffer_error(p);
    return p;
  }

  /** Runs nft commands (one batch, atomic); returns what nft printed. */
  public synchronized String run(String commands) {
    if (ctx == null) {
      throw new IllegalStateException("nftables context closed");
    }
    LibNftables lib = LibNftables.INSTANCE;
    int rc = lib.nft_run_cmd_from_buffer(ctx, commands);
    String out = lib.nft_ctx_get_output_buffer(ctx);
    String err = lib.nft_ctx_get_error_buffer(ctx);
    if (rc != 0) {
      throw new IllegalStateException("nft refused the change: " + (err == null ? "" : err.trim()));
    }
    return out == null ? "" : out;
  }

  @Override
  public void apply(String transaction) {
    run(transaction);
  }

  @Override
  public String listTable(String table) {
    try {
      return run("list table inet " + table);
    } catch (IllegalStateException e) {
      return "";
    }
  }

  @Override
  public synchronized void close() {
    if (ctx != null) {
      LibNftables.INSTANCE.nft_ctx_free(ctx);
      ctx = null;
    }
  }
}
