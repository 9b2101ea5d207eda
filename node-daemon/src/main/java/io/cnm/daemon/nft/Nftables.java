package io.cnm.daemon.nft;

/** Applies nftables transactions in one network namespace. */
public interface Nftables extends AutoCloseable {
  /** Applies a whole transaction atomically; on error nothing of it is applied. */
  void apply(String transaction);

  /** One of the daemon's tables (family inet) as nft lists it, or an empty string when it does not exist. */
  String listTable(String table);

  /** Releases what it holds open (a library context); nothing by default. */
  @Override
  default void close() {}
}
