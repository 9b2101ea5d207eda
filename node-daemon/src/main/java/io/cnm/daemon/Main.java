package io.cnm.daemon;

import io.cnm.daemon.agent.AgentLifecycle;
import io.cnm.daemon.agent.AgentLiveness;
import io.cnm.daemon.agent.AgentReadiness;
import io.cnm.daemon.agent.SandboxDebugRoute;
import io.cnm.daemon.config.Settings;
import io.cnm.daemon.http.DaemonHttp;
import io.cnm.daemon.kube.DaemonKinds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The node-daemon's process: settings, the API client, the agent, and the HTTP endpoints of the
 * DaemonSet's probes and metrics. A plain main, not an application framework: a DaemonSet's
 * memory is paid on every node, and the framework's classes were a quarter of the daemon's.
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    long started = System.nanoTime();
    Settings settings = Settings.ofProcess();
    DaemonLogging.install(settings.get("cnm.log.level"));
    Daemon daemon;
    try {
      daemon = Daemon.start(settings, client());
    } catch (Settings.InvalidSetting e) {
      // A setting that does not parse: one line naming it.
      System.err.println("cnm-node-daemon: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception | LinkageError e) {
      // Also a class missing from the image: a daemon that did not start must exit, not idle with its probes up.
      Logger.getLogger(Main.class).errorf(e, "cnm-node-daemon does not start: %s", e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      daemon.close();
      DaemonLogging.flush();
    }, "cnm-shutdown"));
    Logger.getLogger(Main.class).infof("cnm-node-daemon started in %d ms, HTTP on port %d", (System.nanoTime() - started) / 1_000_000,
        daemon.httpPort());
  }

  /**
   * The API client from the process's environment (in a pod, its service account), reading only
   * the daemon's kinds ({@link DaemonKinds}): the client's default scan of the class path would
   * load about a thousand model classes the daemon never uses.
   */
  static KubernetesClient client() {
    return new KubernetesClientBuilder().withKubernetesSerialization(DaemonKinds.serialization()).build();
  }

  /** A running daemon: what {@link #close()} stops, in the order it must (probes first, the API client last). */
  public static final class Daemon implements AutoCloseable {
    private final KubernetesClient client;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final AgentLifecycle lifecycle;
    private final DaemonHttp http;

    private Daemon(KubernetesClient client, PrometheusMeterRegistry registry, JvmGcMetrics gc, AgentLifecycle lifecycle, DaemonHttp http) {
      this.client = client;
      this.registry = registry;
      this.gc = gc;
      this.lifecycle = lifecycle;
      this.http = http;
    }

    /** Starts the daemon on {@code client} (closed with the daemon, also when the start fails). */
    public static Daemon start(Settings settings, KubernetesClient client) throws java.io.IOException {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      JvmGcMetrics gc = new JvmGcMetrics();
      DaemonHttp http = null;
      try {
        int port = settings.intValue("cnm.http.port", 9464);
        List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics(),
            new FileDescriptorMetrics()).forEach(b -> b.bindTo(registry));
        AgentLifecycle lifecycle = new AgentLifecycle(client, registry, settings);
        http = new DaemonHttp(List.of(new AgentLiveness(lifecycle, settings.longValue("cnm.agent.stuck-after-ms", 120_000))),
            List.of(new AgentReadiness(lifecycle)), registry::scrape,
            settings.bool("cnm.debug.enabled", true) ? new SandboxDebugRoute(lifecycle) : null);
        http.start(port); // first: a port taken fails the start before the kernel is touched
        lifecycle.start();
        return new Daemon(client, registry, gc, lifecycle, http);
      } catch (java.io.IOException | RuntimeException | LinkageError e) {
        if (http != null) {
          http.close();
        }
        gc.close();
        registry.close();
        client.close();
        throw e;
      }
    }

    public int httpPort() {
      return http.port();
    }

    @Override
    public void close() {
      http.close();
      lifecycle.close();
      gc.close();
      registry.close();
      client.close();
    }
  }
}
