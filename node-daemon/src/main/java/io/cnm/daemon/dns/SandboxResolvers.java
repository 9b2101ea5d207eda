package io.cnm.daemon.dns;

import io.cnm.daemon.netns.NetNamespace;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The embedded DNS server in each sandbox, as libnetwork starts a resolver per sandbox: its
 * socket at 127.0.0.11:53 inside the sandbox's namespace, and the sandbox's resolv.conf pointing
 * there. Opening a socket in a namespace takes milliseconds, so it is done ahead, on a thread of
 * its own ({@link #prepare}): when the node-daemon first sees an endpoint, before the operator has
 * bound it, and right before the join, beside it. The pass then takes what is ready
 * ({@link #serve}); the resolv.conf is written only there, once the records know the sandbox.
 *
 * <p>{@link #prepare} may be called from any thread; {@link #serve} and {@link #close} from the
 * agent's only.
 */
public final class SandboxResolvers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SandboxResolvers.class);
  /** How long a pass waits for a socket being opened: a namespace switch and a bind, normally milliseconds. */
  static final long OPEN_WAIT_SECONDS = 10;
  /** How long closing a socket may take: one task on its event loop, normally microseconds. */
  private static final long CLOSE_WAIT_MILLIS = 1000;

  private final DnsServer server;
  private final NetnsResolvConf resolvConfs;
  private final int port;
  /** One thread, made when there is something to open and gone after 30 s without. */
  private final ExecutorService opener = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
    Thread t = new Thread(r, "cnm-dns-open");
    t.setDaemon(true);
    return t;
  });
  /** Sockets opened or being opened ahead, by sandbox path, not served yet. */
  private final Map<String, CompletableFuture<DnsSocket>> prepared = new ConcurrentHashMap<>();
  /** Sockets served, by sandbox path: their resolv.conf points at them. The agent's thread only. */
  private final Map<String, DnsSocket> served = new HashMap<>();

  /** @param port 53, or a test's own */
  public SandboxResolvers(DnsServer server, NetnsResolvConf resolvConfs, int port) {
    this.server = server;
    this.resolvConfs = resolvConfs;
    this.port = port;
  }

  /** Starts opening the sandbox's socket, unless it is being opened or waits to be served. Any thread. */
  public void prepare(String netnsPath) {
    prepared.computeIfAbsent(netnsPath, p -> CompletableFuture.supplyAsync(() -> open(p), opener));
  }

  /** Whether the sandbox is served by an open socket. The agent's thread. */
  public boolean serving(String netnsPath) {
    DnsSocket s = served.get(netnsPath);
    return s != null && s.isOpen(); // bound when served; isActive would ask the socket for its address
  }

  private DnsSocket open(String netnsPath) {
    try (NetNamespace ns = NetNamespace.open(netnsPath)) {
      return server.serve(ns, netnsPath, port);
    }
  }

  /**
   * Serves exactly {@code sandboxes}: takes the sockets prepared for new ones (waiting for those
   * being opened, opening those not prepared), points their resolv.conf here, and closes every other
   * socket except those prepared for sandboxes still {@code waiting} (their endpoints are not bound
   * yet), putting the resolv.conf of the closed back. {@code waiting} is asked only about those.
   *
   * @return why, for each sandbox that could not be served (the next pass tries again)
   */
  public Map<String, Exception> serve(Set<String> sandboxes, Predicate<String> waiting) {
    Map<String, Exception> failed = new HashMap<>();
    int serving = 0;
    for (String path : sandboxes) {
      if (serving(path)) {
        serving++;
        continue;
      }
      Exception e = take(path);
      if (e == null) {
        serving++;
      } else {
        failed.put(path, e);
      }
    }
    if (serving == sandboxes.size() && served.size() == serving && prepared.isEmpty()) {
      return failed; // every socket is one of these sandboxes' and served: none to close
    }
    for (var it = served.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!sandboxes.contains(e.getKey())) {
        it.remove();
        closeNow(e.getValue());
        restore(e.getKey());
      }
    }
    for (var it = prepared.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!sandboxes.contains(e.getKey()) && !waiting.test(e.getKey())) {
        it.remove();
        e.getValue().thenAccept(SandboxResolvers::closeNow); // one still being opened is closed when it is
      }
    }
    return failed;
  }

  /** Serves the sandbox with its prepared socket (or one opened now); null when done, else why not. */
  private Exception take(String path) {
    DnsSocket old = served.remove(path);
    if (old != null) {
      closeNow(old); // closed under us: opened again; its resolv.conf is there
    }
    CompletableFuture<DnsSocket> f = prepared.get(path);
    if (f != null && f.isCompletedExceptionally()) {
      prepared.remove(path, f); // opened ahead too early (the namespace was not there yet, say): now again
    }
    prepare(path);
    f = prepared.get(path);
    DnsSocket ch;
    try {
      ch = f.get(OPEN_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      prepared.remove(path, f); // opened again next time
      return e.getCause() instanceof Exception x ? x : e;
    } catch (TimeoutException e) {
      // Still being opened: taken by a later pass.
      return new IllegalStateException("its DNS socket was not open after " + OPEN_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
    prepared.remove(path, f);
    if (old == null) {
      try {
        resolvConfs.install(path);
      } catch (IOException e) {
        closeNow(ch); // served whole or not at all: the next pass tries again
        return e;
      }
    }
    served.put(path, ch);
    return null;
  }

  /** Closes a socket before returning ({@link DnsSocket#closeNow}). */
  private static void closeNow(DnsSocket s) {
    if (!s.closeNow(CLOSE_WAIT_MILLIS)) {
      LOG.warnf("DNS socket %s not closed after %d ms", s, CLOSE_WAIT_MILLIS);
    }
  }

  private void restore(String path) {
    try {
      // Its last endpoint left: nothing answers at 127.0.0.11 there any more.
      resolvConfs.restore(path);
    } catch (IOException x) {
      LOG.warnf("resolv.conf of %s not put back: %s", path, x.getMessage());
    }
  }

  /** The sandboxes served now (their resolv.conf points here). */
  public Set<String> served() {
    return Set.copyOf(served.keySet());
  }

  /** Stops serving; the resolv.conf files stay (a restarted daemon serves the same sandboxes again). */
  @Override
  public void close() {
    served.values().forEach(DnsSocket::close);
    prepared.values().forEach(f -> f.thenAccept(DnsSocket::close));
    opener.shutdownNow();
  }
}
