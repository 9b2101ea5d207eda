package io.cnm.daemon.nft;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few calls of libnftables (the library behind the nft tool, {@code libnftables.so.1}) the
 * daemon uses. A context opens its netlink socket when it is made, in the network namespace of the
 * calling thread, and keeps it: so one context per namespace, made inside it.
 */
interface LibNftables extends Library {
  /** Null where the library is not installed; callers fall back to the nft tool. */
  LibNftables INSTANCE = load();

  int NFT_CTX_DEFAULT = 0;

  Pointer nft_ctx_new(int flags);

  void nft_ctx_free(Pointer ctx);

  int nft_ctx_buffer_output(Pointer ctx);

  int nft_ctx_buffer_error(Pointer ctx);

  String nft_ctx_get_output_buffer(Pointer ctx);

  String nft_ctx_get_error_buffer(Pointer ctx);

  int nft_run_cmd_from_buffer(Pointer ctx, String buf);

  private static LibNftables load() {
    try {
      return Native.load("nftables", LibNftables.class);
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }
}
