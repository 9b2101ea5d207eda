package io.cnm.operator.metrics;

import io.cnm.operator.error.CnmException;
import io.cnm.operator.ipam.Ipam;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The operator's meters. A reconcile ends in one outcome: {@code ok}, or the category of the error
 * it reported ({@code invalid}, {@code conflict}, {@code not_found}, {@code transient}), or
 * {@code error} when something unexpected was thrown. IPAM gauges are read from the IPAM when
 * scraped; a network's pair of gauges appears when it is allocated and goes when it is released.
 */
@Singleton
public class OperatorMetrics {
  private final MeterRegistry registry;
  private final Ipam ipam;
  private final Set<String> trackedNetworks = new HashSet<>();
  private volatile Map<String, Ipam.Usage> usage;
  private volatile long usageRead;

  public OperatorMetrics(MeterRegistry registry, Ipam ipam) {
    this.registry = registry;
    this.ipam = ipam;
    // Held strongly: a gauge keeps a weak reference by default and reads NaN for good once its object is collected,
    // which a CI run of the Quarkus tests met (cnm_vnis_in_use NaN for 30 s).
    Gauge.builder("cnm.vnis.in.use", ipam, Ipam::vnisInUse).description("VXLAN network identifiers given to overlay networks")
        .strongReference(true).register(registry);
    Gauge.builder("cnm.vips.in.use", this, m -> m.usage().values().stream().mapToInt(Ipam.Usage::vips).sum())
        .description("Service virtual IPs held, over all networks").strongReference(true).register(registry);
  }

  /** Meters that go nowhere, for reconcilers built by hand (tests, the benchmark). */
  public static OperatorMetrics none() {
    return new OperatorMetrics(new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), new Ipam(java.util.List.of(), java.util.List.of()));
  }

  /** A reconcile being timed: {@link #failed} when it reports an error, {@link #end} always. */
  public final class Reconcile {
    private final String kind;
    private final String phase;
    private final long start = System.nanoTime();
    private String outcome = "ok";

    private Reconcile(String kind, String phase) {
      this.kind = kind;
      this.phase = phase;
    }

    /** The error the reconcile reports (as a condition, or by throwing); a conflict is counted by its reason. */
    public void failed(Throwable e) {
      outcome = outcomeOf(e);
      if (e instanceof CnmException.Conflict c) {
        registry.counter("cnm.operator.conflicts", "kind", kind, "reason", c.reason()).increment();
      }
    }

    public void end() {
      Timer.builder("cnm.operator.reconcile").description("One reconcile of one object, by kind, phase and outcome")
          .tags("kind", kind, "phase", phase, "outcome", outcome).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      if ("CnmNetwork".equals(kind) || "CnmEndpoint".equals(kind) || "CnmService".equals(kind)) {
        trackNetworks();
      }
    }
  }

  /**
   * Runs one reconcile timed: the body marks the error it reports with {@link Reconcile#failed};
   * anything it throws is marked too, and thrown on.
   *
   * @param phase reconcile or cleanup
   */
  public <T> T timed(String kind, String phase, java.util.function.Function<Reconcile, T> body) {
    Reconcile r = new Reconcile(kind, phase);
    try {
      return body.apply(r);
    } catch (RuntimeException | Error e) {
      r.failed(e);
      throw e;
    } finally {
      r.end();
    }
  }

  static String outcomeOf(Throwable e) {
    if (e instanceof CnmException.InvalidConfig) {
      return "invalid";
    } else if (e instanceof CnmException.Conflict) {
      return "conflict";
    } else if (e instanceof CnmException.NotFound) {
      return "not_found";
    } else if (e instanceof CnmException.Transient) {
      return "transient";
    }
    return "error";
  }

  /** The IPAM's usage, read at most once a second however many gauges a scrape reads. */
  private Map<String, Ipam.Usage> usage() {
    long now = System.nanoTime();
    if (usage == null || now - usageRead > 1_000_000_000L) {
      usage = ipam.usage();
      usageRead = now;
    }
    return usage;
  }

  /** Gauges for networks newly allocated, none left for networks released (only keys are read: usage is read when scraped). */
  private synchronized void trackNetworks() {
    Set<String> now = ipam.networkKeys();
    for (String key : now) {
      if (trackedNetworks.add(key)) {
        addressGauge(key, "allocated", u -> u.allocated());
        addressGauge(key, "free", u -> u.free() < 0 ? Double.NaN : u.free());
      }
    }
    for (var it = trackedNetworks.iterator(); it.hasNext(); ) {
      String key = it.next();
      if (!now.contains(key)) {
        it.remove();
        for (String state : new String[] {"allocated", "free"}) {
          Meter m = registry.find("cnm.ipam.addresses").tags(Tags.of("network", key, "state", state)).meter();
          if (m != null) {
            registry.remove(m);
          }
        }
      }
    }
  }

  private void addressGauge(String key, String state, java.util.function.ToDoubleFunction<Ipam.Usage> value) {
    Gauge.builder("cnm.ipam.addresses", this, m -> {
      Ipam.Usage u = m.usage().get(key);
      return u == null ? Double.NaN : value.applyAsDouble(u);
    }).description("Addresses of one network: allocated, and IPv4 addresses left for dynamic allocation (on a local network's fullest node)")
        .tags("network", key, "state", state).register(registry);
  }
}
