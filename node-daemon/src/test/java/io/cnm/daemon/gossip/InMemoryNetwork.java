package io.cnm.daemon.gossip;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Members wired together on a {@link SimScheduler}: packets arrive after a delay or are lost at a
 * seeded random rate; pairs can be partitioned; a member can be cut off as if crashed. Streams
 * (push/pull) are reliable unless partitioned, as TCP is.
 */
final class InMemoryNetwork {
  private final SimScheduler scheduler;
  private final Random random;
  private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
  private final Set<Set<InetSocketAddress>> cut = new HashSet<>();
  private final Set<InetSocketAddress> down = new HashSet<>();
  private final Map<List<InetSocketAddress>, Long> sentBetween = new HashMap<>();
  double loss;
  long delayMillis = 1;
  long sent;
  long bytes;

  InMemoryNetwork(SimScheduler scheduler, long seed) {
    this.scheduler = scheduler;
    this.random = new Random(seed);
  }

  Transport transport(InetSocketAddress address) {
    Endpoint e = new Endpoint(address);
    endpoints.put(address, e);
    return e;
  }

  void partition(InetSocketAddress a, InetSocketAddress b) {
    cut.add(Set.of(a, b));
  }

  void heal() {
    cut.clear();
  }

  void heal(InetSocketAddress a, InetSocketAddress b) {
    cut.remove(Set.of(a, b));
  }

  /** Packets {@code from} sent to {@code to}, lost or not. */
  long sent(InetSocketAddress from, InetSocketAddress to) {
    return sentBetween.getOrDefault(List.of(from, to), 0L);
  }

  /** The member's packets and streams go nowhere, and nothing reaches it (a crash or a dead host). */
  void takeDown(InetSocketAddress a) {
    down.add(a);
  }

  void bringUp(InetSocketAddress a) {
    down.remove(a);
  }

  private boolean blocked(InetSocketAddress from, InetSocketAddress to) {
    return down.contains(from) || down.contains(to) || cut.contains(Set.of(from, to));
  }

  private final class Endpoint implements Transport {
    final InetSocketAddress address;
    BiConsumer<InetSocketAddress, byte[]> packets = (a, b) -> { };
    Function<byte[], CompletableFuture<byte[]>> exchanges = b -> CompletableFuture.completedFuture(null);

    Endpoint(InetSocketAddress address) {
      this.address = address;
    }

    @Override
    public InetSocketAddress localAddress() {
      return address;
    }

    @Override
    public void send(InetSocketAddress to, byte[] packet) {
      sent++;
      bytes += packet.length;
      sentBetween.merge(List.of(address, to), 1L, Long::sum);
      if (blocked(address, to) || random.nextDouble() < loss) {
        return;
      }
      Endpoint target = endpoints.get(to);
      if (target != null) {
        scheduler.schedule(delayMillis, () -> {
          if (!blocked(address, to)) {
            target.packets.accept(address, packet);
          }
        });
      }
    }

    @Override
    public CompletableFuture<byte[]> exchange(InetSocketAddress to, byte[] request, long timeoutMillis) {
      CompletableFuture<byte[]> result = new CompletableFuture<>();
      Endpoint target = endpoints.get(to);
      if (target == null || blocked(address, to)) {
        scheduler.schedule(timeoutMillis, () -> result.completeExceptionally(new IllegalStateException("unreachable")));
        return result;
      }
      scheduler.schedule(delayMillis, () -> target.exchanges.apply(request).whenComplete((answer, err) ->
          scheduler.schedule(delayMillis, () -> {
            if (answer == null || blocked(address, to)) {
              result.completeExceptionally(new IllegalStateException("no answer"));
            } else {
              result.complete(answer);
            }
          })));
      return result;
    }

    @Override
    public void receive(BiConsumer<InetSocketAddress, byte[]> packets, Function<byte[], CompletableFuture<byte[]>> exchanges) {
      this.packets = packets;
      this.exchanges = exchanges;
    }

    @Override
    public void close() {
      endpoints.remove(address);
    }
  }
}
