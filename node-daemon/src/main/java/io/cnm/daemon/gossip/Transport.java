package io.cnm.daemon.gossip;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How members reach each other (memberlist's Transport): unreliable packets for probes and
 * gossip, and a reliable request-response exchange for the full-state push/pull. Bytes here are
 * already sealed by the {@link Keyring}. The real transport is Netty UDP + TCP; tests use an
 * in-memory network with seeded loss, delay and partitions.
 */
public interface Transport extends AutoCloseable {
  /** The address other members reach this one at. */
  InetSocketAddress localAddress();

  /** Sends one packet; loss is possible and not reported. */
  void send(InetSocketAddress to, byte[] packet);

  /**
   * Sends a request on a reliable stream and completes with the answer, or exceptionally after
   * {@code timeoutMillis}.
   */
  CompletableFuture<byte[]> exchange(InetSocketAddress to, byte[] request, long timeoutMillis);

  /**
   * Sets the receivers: packets (with their source), and exchange requests, whose answer
   * completes later (null: close without one).
   */
  void receive(BiConsumer<InetSocketAddress, byte[]> packets, Function<byte[], CompletableFuture<byte[]>> exchanges);

  @Override
  void close();
}
