package io.cnm.operator.uninstall;

import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code helm uninstall} runs first (the chart's pre-delete hook), while the operator and the
 * node-daemons still run: every CnmService, CnmNetwork and CnmEndpoint is deleted, and it waits
 * until they are gone. Their finalizers are thus released by the operator, which gives the
 * addresses back, and each node removes its bridges, veths, node table and gwbridge as its last
 * network leaves. Networks are deleted before endpoints: the operator then makes no new endpoint
 * for a pod that still asks for one of them.
 *
 * <p>The operator's admission webhook registration (a MutatingWebhookConfiguration the operator
 * made, not a release object) is deleted first, when named.
 *
 * <p>Run as {@code java -cp 'lib/main/*:app/*' io.cnm.operator.uninstall.Uninstall [timeout-seconds
 * [webhook-configuration]]} from the operator's application directory. Exit code 0 when nothing is left, 1 otherwise (it then
 * names what is left and why), so {@code helm uninstall} stops before the operator is gone.
 */
public final class Uninstall {
  private static final List<Class<? extends HasMetadata>> ORDER = List.of(CnmService.class, CnmNetwork.class, CnmEndpoint.class);

  private Uninstall() {}

  public static void main(String[] args) {
    Duration timeout = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 300);
    // The Vert.x client by name: outside Quarkus, its own client factory has no Vert.x to run on.
    try (KubernetesClient client = new KubernetesClientBuilder().withHttpClientFactory(new VertxHttpClientFactory()).build()) {
      if (args.length > 1) {
        deleteWebhookRegistration(client, args[1], System.out);
      }
      System.exit(run(client, timeout, System.out) ? 0 : 1);
    }
  }

  /** Deletes the admission webhook's registration {@code name}: nothing created from now on calls a webhook that is going. */
  public static void deleteWebhookRegistration(KubernetesClient client, String name, PrintStream out) {
    boolean deleted = !client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).delete().isEmpty();
    out.printf("%s MutatingWebhookConfiguration %s%n", deleted ? "deleted" : "no", name);
  }

  /** Deletes everything cnm made in every namespace and waits until it is gone; false, naming what is left, on timeout. */
  public static boolean run(KubernetesClient client, Duration timeout, PrintStream out) {
    for (Class<? extends HasMetadata> type : ORDER) {
      List<? extends HasMetadata> items = client.resources(type).inAnyNamespace().list().getItems();
      out.printf("deleting %d %s%n", items.size(), HasMetadata.getPlural(type));
      for (HasMetadata o : items) {
        client.resource(o).delete();
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<HasMetadata> left = remaining(client);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      left = remaining(client);
    }
    if (left.isEmpty()) {
      out.println("every cnm object is gone: the nodes have removed what they built for them");
      return true;
    }
    out.printf("%d cnm object(s) still there after %d s (the operator keeps their finalizers):%n", left.size(), timeout.toSeconds());
    left.forEach(o -> out.println("  " + describe(o)));
    return false;
  }

  private static List<HasMetadata> remaining(KubernetesClient client) {
    List<HasMetadata> out = new ArrayList<>();
    ORDER.forEach(type -> out.addAll(client.resources(type).inAnyNamespace().list().getItems()));
    return out;
  }

  private static String describe(HasMetadata o) {
    String name = HasMetadata.getKind(o.getClass()) + " " + (o instanceof Namespaced ? o.getMetadata().getNamespace() + "/" : "")
        + o.getMetadata().getName();
    var conditions = o instanceof CnmNetwork n && n.getStatus() != null ? n.getStatus().getConditions()
        : o instanceof CnmEndpoint e && e.getStatus() != null ? e.getStatus().getConditions()
        : o instanceof CnmService s && s.getStatus() != null ? s.getStatus().getConditions() : null;
    String why = Conditions.find(conditions, Conditions.READY).filter(c -> !"True".equals(c.getStatus()))
        .map(c -> c.getReason() + ": " + c.getMessage()).orElse(null);
    return name + " (finalizers " + o.getMetadata().getFinalizers() + ")" + (Objects.isNull(why) ? "" : " - " + why);
  }
}
