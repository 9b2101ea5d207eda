package io.cnm.daemon.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The node-daemon's meters. Latencies are histograms (Prometheus buckets), so a dashboard can take
 * quantiles over many nodes; counts of what is on the node now are gauges. Recording costs a few
 * tens of nanoseconds: the DNS hot path records every query.
 */
public final class DaemonMetrics {
  /** How a DNS query ended: answered from the node's records, relayed to the upstream resolver, or failed (SERVFAIL/FORMERR). */
  public enum DnsResult {
    ANSWERED, FORWARDED, FAILED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The stages of a pass, by what waits in each: computing the desired state (CPU), the kernel
   * (drivers' joins and leaves, networks, peers, sweeps), the node's nftables table (with the
   * encryption path), the sandboxes' balancers and DNS, the report to the cluster (status
   * writes to the API server, Events, pods, gossip records), and last the re-sync's slice of
   * unchanged joins checked in the kernel (after the report, so no change waits for it).
   */
  public enum PassStage {
    DESIRED, KERNEL, FIREWALL, SANDBOXES, REPORT, RESYNC;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final Duration MIN = Duration.ofNanos(10_000);

  private final MeterRegistry registry;
  private final Timer attachOk;
  private final Timer attachFailed;
  private final Timer detach;
  private final Timer fullPass;
  private final Timer differencePass;
  private final Timer nftApply;
  private final Timer statusWrite;
  private final Counter statusConflicts;
  /** By stage, for full and for difference passes: plain timers (count, sum, max), no buckets, for a daemon's memory. */
  private final Timer[] fullPassStages;
  private final Timer[] differencePassStages;
  private final AtomicInteger realized = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Map<DnsResult, Counter> dnsQueries = new EnumMap<>(DnsResult.class);
  private final Map<DnsResult, Timer> dnsLatency = new EnumMap<>(DnsResult.class);

  public DaemonMetrics(MeterRegistry registry) {
    this.registry = registry;
    attachOk = latency("cnm.endpoint.attach", "Driver join of one endpoint: interface made, moved, addressed, routed", Duration.ofSeconds(5))
        .tag("outcome", "ok").register(registry);
    attachFailed = latency("cnm.endpoint.attach", "Driver join of one endpoint: interface made, moved, addressed, routed", Duration.ofSeconds(5))
        .tag("outcome", "failed").register(registry);
    detach = latency("cnm.endpoint.detach", "Driver leave of one endpoint", Duration.ofSeconds(5)).register(registry);
    fullPass = latency("cnm.daemon.pass", "One pass of the agent: desired state computed and the differences applied", Duration.ofSeconds(30))
        .tag("kind", "full").register(registry);
    differencePass = latency("cnm.daemon.pass", "One pass of the agent: desired state computed and the differences applied", Duration.ofSeconds(30))
        .tag("kind", "difference").register(registry);
    fullPassStages = passStages(registry, "full");
    differencePassStages = passStages(registry, "difference");
    nftApply = latency("cnm.nft.apply", "Writing the node table (table inet cnm) in one nftables transaction", Duration.ofSeconds(5))
        .register(registry);
    // No buckets (for the daemon's memory): count, sum and max tell a slow API server from a slow node.
    statusWrite = Timer.builder("cnm.daemon.status.write")
        .description("Writing the node's part of one CnmEndpoint's status to the API server, conflicts and their retries included")
        .register(registry);
    statusConflicts = Counter.builder("cnm.daemon.status.write.conflicts")
        .description("CnmEndpoint status writes the API server refused as made on a stale copy (each costs a read and a write more)")
        .register(registry);
    Gauge.builder("cnm.endpoints", realized, AtomicInteger::get).description("Endpoints of this node by state, as of the last pass")
        .tag("state", "realized").register(registry);
    Gauge.builder("cnm.endpoints", failed, AtomicInteger::get).description("Endpoints of this node by state, as of the last pass")
        .tag("state", "failed").register(registry);
    for (DnsResult r : DnsResult.values()) {
      dnsQueries.put(r, Counter.builder("cnm.dns.queries").description("Queries to the embedded DNS server (127.0.0.11) by result")
          .tag("result", r.label()).register(registry));
      dnsLatency.put(r, latency("cnm.dns.query", "From a query read to its answer written", Duration.ofSeconds(10))
          .tag("result", r.label()).register(registry));
    }
  }

  /** Meters that go nowhere: for tests and tools that build the agent without an application. */
  public static DaemonMetrics none() {
    return new DaemonMetrics(new CompositeMeterRegistry());
  }

  private static Timer[] passStages(MeterRegistry registry, String kind) {
    Timer[] out = new Timer[PassStage.values().length];
    for (PassStage st : PassStage.values()) {
      out[st.ordinal()] = Timer.builder("cnm.daemon.pass.stage")
          .description("Where the agent's passes spend their time, by stage (the stages of a pass add up to it)")
          .tag("kind", kind).tag("stage", st.label()).register(registry);
    }
    return out;
  }

  private static Timer.Builder latency(String name, String description, Duration max) {
    return Timer.builder(name).description(description).publishPercentileHistogram().minimumExpectedValue(MIN)
        .maximumExpectedValue(max);
  }

  public void attached(long nanos, boolean ok) {
    (ok ? attachOk : attachFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void detached(long nanos) {
    detach.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void pass(long nanos, boolean full) {
    (full ? fullPass : differencePass).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One pass's time in one stage. */
  public void passStage(PassStage stage, long nanos, boolean full) {
    (full ? fullPassStages : differencePassStages)[stage.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One endpoint's status written (or found already said on the object as it is now). */
  public void statusWritten(long nanos) {
    statusWrite.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One status write refused as stale (it is made again on the object as it is now). */
  public void statusConflict() {
    statusConflicts.increment();
  }

  public void nftApplied(long nanos) {
    nftApply.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The endpoints the last pass reported Realized and not. */
  public void endpoints(int realizedNow, int failedNow) {
    realized.set(realizedNow);
    failed.set(failedNow);
  }

  /** @param startNanos {@link System#nanoTime()} when the query was read */
  public void dnsQuery(DnsResult result, long startNanos) {
    dnsQueries.get(result).increment();
    dnsLatency.get(result).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** A gauge read when scraped, e.g. the gossip's members in one state. */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true).register(registry);
  }

  /**
   * The encryption path this node uses ({@code cnm_encryption_path{path="userspace-esp"} 1}, the
   * others 0) and its ESP counters: packets sealed and opened, drops by reason, rekeys by volume.
   */
  public void encryption(io.cnm.daemon.encryption.NodeEncryption e) {
    for (var p : io.cnm.daemon.encryption.NodeEncryption.Path.values()) {
      gauge("cnm.encryption.path", "The path encrypted overlays take on this node (1 for the one in use)", e,
          x -> x.path() == p ? 1 : 0, "path", p.label);
    }
    FunctionCounter.builder("cnm.esp.packets", e, x -> x.counters().sealed()).description("ESP packets of encrypted overlays")
        .tag("direction", "sealed").register(registry);
    FunctionCounter.builder("cnm.esp.packets", e, x -> x.counters().opened()).description("ESP packets of encrypted overlays")
        .tag("direction", "opened").register(registry);
    FunctionCounter.builder("cnm.esp.rekeys", e, x -> x.counters().rekeys())
        .description("New security associations because one had carried its volume (a rekey without a message)").register(registry);
    for (var d : io.cnm.daemon.encryption.EspTunnel.Drop.values()) {
      String reason = d.name().toLowerCase(java.util.Locale.ROOT);
      FunctionCounter.builder("cnm.esp.dropped", e, x -> x.counters().dropped().getOrDefault(reason, 0L))
          .description("ESP packets dropped, by reason (replay, authentication, unknown SPI, no key, ...)").tag("reason", reason)
          .register(registry);
    }
  }

  /**
   * Status writes the direct path left to the Kubernetes client: a configuration it does not
   * handle, a 401 or 403, an I/O failure. Steadily rising, it says the direct path is not taken.
   */
  public void statusWritesViaClient(io.cnm.daemon.kube.DirectStatusPut<?> put) {
    FunctionCounter.builder("cnm.daemon.status.write.via.client", put, io.cnm.daemon.kube.DirectStatusPut::viaClient)
        .description("CnmEndpoint status writes made through the Kubernetes client instead of directly (configuration, 401/403, I/O failure)")
        .register(registry);
  }

  /** The gossip's mutual TLS: connections refused, and when this daemon's certificate expires. */
  public void gossipTls(io.cnm.daemon.gossip.GossipTls tls) {
    FunctionCounter.builder("cnm.gossip.tls.refused", tls, io.cnm.daemon.gossip.GossipTls::refused)
        .description("Gossip sync connections refused: no certificate, another CA's, or an expired one").register(registry);
    gauge("cnm.gossip.tls.certificate.expiry.seconds", "When this daemon's gossip certificate expires (epoch seconds; 0 before it has one)",
        tls, t -> t.notAfter() == null ? 0 : t.notAfter().getEpochSecond());
  }
}
