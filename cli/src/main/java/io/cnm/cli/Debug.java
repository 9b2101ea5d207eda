package io.cnm.cli;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl cnm debug}: the seed's troubleshooting for one pod (or one endpoint). It lists the
 * endpoints, then asks the node-daemon of each endpoint's node how it sees the sandbox: through the
 * API server's proxy to the daemon pod on that node ({@code pods/proxy}), or straight at
 * {@code --daemon URL} (a port-forward, the lab). {@code --shell} starts what Docker users reach
 * for, netshoot, as an ephemeral container in the pod's network namespace ({@code kubectl debug}).
 */
final class Debug {
  /** The label of the chart's daemon pods. */
  static final String DAEMON_SELECTOR = "app.kubernetes.io/component";
  static final String DAEMON_COMPONENT = "node-daemon";

  private Debug() {}

  static int run(KubernetesClient client, Args args, String namespace, PrintStream out, PrintStream err) {
    List<CnmEndpoint> endpoints = endpoints(client, args, namespace);
    if (endpoints.isEmpty()) {
      err.println("kubectl cnm: " + (args.endpoint() != null ? "no endpoint " + args.endpoint() : "no cnm endpoints for pod "
          + args.word(1).orElseThrow()) + " in namespace " + namespace);
      return 1;
    }
    if (args.shell()) {
      String pod = args.word(1).orElseThrow(() -> new Args.UsageException("--shell needs a POD"));
      return shell(namespace, pod, args.image());
    }
    Views.endpointLs(endpoints, false, out);
    int failed = 0;
    for (CnmEndpoint e : endpoints) {
      out.println();
      String node = e.getStatus() == null ? null : e.getStatus().getNodeName();
      if (node == null) {
        out.println("== " + e.getMetadata().getName() + ": not bound to a node yet");
        continue;
      }
      String path = "/q/cnm/endpoints/" + namespace + "/" + e.getMetadata().getName();
      try {
        out.print(args.daemon() != null ? direct(args.daemon() + path) : proxied(client, node, path));
      } catch (RuntimeException ex) {
        failed++;
        out.println("== " + e.getMetadata().getName() + ": the node-daemon of " + node + " could not be asked: " + ex.getMessage());
      }
    }
    return failed == 0 ? 0 : 1;
  }

  private static List<CnmEndpoint> endpoints(KubernetesClient client, Args args, String namespace) {
    var all = client.resources(CnmEndpoint.class).inNamespace(namespace);
    if (args.endpoint() != null) {
      CnmEndpoint e = all.withName(args.endpoint()).get();
      return e == null ? List.of() : List.of(e);
    }
    String pod = args.word(1).orElseThrow(() -> new Args.UsageException("debug needs a POD or --endpoint NAME"));
    return Views.sorted(all.withLabel(CnmEndpoint.POD_LABEL, CnmEndpoint.podLabelValue(pod)).list().getItems());
  }

  /** Through the API server: GET .../pods/DAEMON:PORT/proxy/PATH on the daemon pod of the node. */
  static String proxied(KubernetesClient client, String node, String path) {
    Pod daemon = client.pods().inAnyNamespace().withLabel(DAEMON_SELECTOR, DAEMON_COMPONENT).list().getItems().stream()
        .filter(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node-daemon pod on node " + node));
    int port = daemon.getSpec().getContainers().get(0).getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
        .map(p -> p.getContainerPort()).orElse(9464);
    try {
      String body = client.raw("/api/v1/namespaces/" + daemon.getMetadata().getNamespace() + "/pods/" + daemon.getMetadata().getName()
          + ":" + port + "/proxy" + path);
      if (body == null) {
        throw new IllegalStateException("the API server's proxy answered nothing (is the endpoint joined on " + node + "?)");
      }
      return body;
    } catch (KubernetesClientException ex) {
      throw new IllegalStateException(ex.getMessage(), ex);
    }
  }

  static String direct(String url) {
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body().trim());
      }
      return r.body();
    } catch (IOException ex) {
      throw new IllegalStateException(url + ": " + ex.getMessage(), ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", ex);
    }
  }

  /** kubectl debug: an ephemeral container of the image, sharing the pod's network namespace, with NET_ADMIN and NET_RAW. */
  static List<String> shellCommand(String namespace, String pod, String image) {
    return new ArrayList<>(List.of("kubectl", "debug", "-it", "--namespace", namespace, "pod/" + pod, "--image=" + image,
        "--profile=netadmin", "--", "sh"));
  }

  private static int shell(String namespace, String pod, String image) {
    try {
      return new ProcessBuilder(shellCommand(namespace, pod, image)).inheritIO().start().waitFor();
    } catch (IOException ex) {
      throw new IllegalStateException("kubectl cannot be run: " + ex.getMessage(), ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

}
