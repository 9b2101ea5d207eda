package io.cnm.cli;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kubectl cnm}: the main. Reads the kubeconfig as kubectl does (KUBECONFIG, ~/.kube/config,
 * in-cluster), honours -n, -A and --context; prints one line and exits 1 on an API error, prints
 * the usage and exits 2 on a wrong command line.
 */
public final class KubectlCnm {
  static final String USAGE = """
      usage: kubectl cnm COMMAND [-n NAMESPACE | -A] [--context CONTEXT]
        network ls                   the networks, as docker network ls (with their subnets and Ready)
        network inspect NAME...      networks as docker network inspect shows them (JSON), each endpoint under Containers
        service ls                   the services: endpoint mode, virtual IPs, published ports, backends
        service inspect NAME...      services (JSON), with their backends
        endpoint ls                  the endpoints: network, sandbox, node, IPv4, MAC, Ready, Realized
        debug POD                    the pod's endpoints, and from each node's daemon its sandbox's interfaces, routes,
                                     nftables rules and DNS resolver (through the API server's pods/proxy)
          --endpoint NAME            one endpoint instead of a pod's (e.g. a netns sandbox)
          --daemon URL               ask this daemon URL instead of going through the API server (a port-forward)
          --shell [--image IMAGE]    an ephemeral debug container (default nicolaka/netshoot) in the pod's network namespace
      """;

  private KubectlCnm() {}

  public static void main(String[] argv) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Args args;
    try {
      args = Args.parse(List.of(argv));
    } catch (Args.UsageException e) {
      System.err.println("kubectl cnm: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    Config config = args.context() == null ? Config.autoConfigure(null) : Config.autoConfigure(args.context());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      System.exit(run(client, args, System.out, System.err));
    }
  }

  /** Runs one command against {@code client}; the exit code. */
  static int run(KubernetesClient client, Args args, PrintStream out, PrintStream err) {
    String namespace = args.namespace() != null ? args.namespace()
        : client.getNamespace() != null ? client.getNamespace() : "default";
    try {
      String noun = args.word(0).orElseThrow(() -> new Args.UsageException("no command"));
      String verb = args.word(1).orElse("");
      switch (noun) {
        case "network", "networks" -> {
          if (verb.equals("ls")) {
            Views.networkLs(list(client.resources(CnmNetwork.class), args, namespace), args.allNamespaces(), out);
          } else if (verb.equals("inspect")) {
            List<Map<String, Object>> shown = new ArrayList<>();
            List<CnmEndpoint> endpoints = endpoints(client, namespace);
            for (String name : names(args)) {
              CnmNetwork n = client.resources(CnmNetwork.class).inNamespace(namespace).withName(name).get();
              if (n == null) {
                return missing(err, "network", name, namespace);
              }
              shown.add(Views.networkInspect(n, endpoints.stream().filter(e -> e.getSpec() != null && name.equals(e.getSpec().getNetwork()))
                  .toList()));
            }
            out.println(Views.json(shown));
          } else {
            throw new Args.UsageException("network ls | network inspect NAME...");
          }
        }
        case "service", "services" -> {
          if (verb.equals("ls")) {
            Views.serviceLs(list(client.resources(CnmService.class), args, namespace), args.allNamespaces(), out);
          } else if (verb.equals("inspect")) {
            List<Map<String, Object>> shown = new ArrayList<>();
            List<CnmEndpoint> endpoints = endpoints(client, namespace);
            for (String name : names(args)) {
              CnmService s = client.resources(CnmService.class).inNamespace(namespace).withName(name).get();
              if (s == null) {
                return missing(err, "service", name, namespace);
              }
              shown.add(Views.serviceInspect(s, backends(s, endpoints)));
            }
            out.println(Views.json(shown));
          } else {
            throw new Args.UsageException("service ls | service inspect NAME...");
          }
        }
        case "endpoint", "endpoints" -> {
          if (!verb.equals("ls")) {
            throw new Args.UsageException("endpoint ls");
          }
          Views.endpointLs(list(client.resources(CnmEndpoint.class), args, namespace), args.allNamespaces(), out);
        }
        case "debug" -> {
          return Debug.run(client, args, namespace, out, err);
        }
        case "help", "-h" -> out.print(USAGE);
        default -> throw new Args.UsageException("unknown command " + noun);
      }
      return 0;
    } catch (Args.UsageException e) {
      err.println("kubectl cnm: " + e.getMessage() + "\n" + USAGE);
      return 2;
    } catch (KubernetesClientException | IllegalStateException e) {
      err.println("kubectl cnm: " + oneLine(e));
      return 1;
    }
  }

  private static <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> list(MixedOperation<T, L, Resource<T>> op, Args args,
      String namespace) {
    return Views.sorted((args.allNamespaces() ? op.inAnyNamespace().list() : op.inNamespace(namespace).list()).getItems());
  }

  private static List<String> names(Args args) {
    if (args.words().size() < 3) {
      throw new Args.UsageException("inspect needs at least one NAME");
    }
    return args.words().subList(2, args.words().size());
  }

  /** The namespace's endpoints, listed once for every NAME an inspect shows. */
  private static List<CnmEndpoint> endpoints(KubernetesClient client, String namespace) {
    return Views.sorted(client.resources(CnmEndpoint.class).inNamespace(namespace).list().getItems());
  }

  /** The service's backends among {@code endpoints}: those on its networks whose labels its selector matches. */
  private static List<CnmEndpoint> backends(CnmService s, List<CnmEndpoint> endpoints) {
    Map<String, String> selector = s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
    List<String> networks = s.getSpec().getNetworks() == null ? List.of() : s.getSpec().getNetworks();
    return endpoints.stream()
        .filter(e -> e.getSpec() != null && networks.contains(e.getSpec().getNetwork()))
        .filter(e -> !selector.isEmpty() && e.getMetadata().getLabels() != null
            && e.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .toList();
  }

  private static int missing(PrintStream err, String kind, String name, String namespace) {
    err.println("kubectl cnm: no " + kind + " " + name + " in namespace " + namespace);
    return 1;
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
