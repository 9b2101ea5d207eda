package io.cnm.lab;

import io.cnm.operator.endpoint.EndpointReconciler;
import io.cnm.operator.ipam.Ipam;
import io.cnm.operator.network.NetworkReconciler;
import io.cnm.operator.pod.PodNetworksReconciler;
import io.cnm.operator.recovery.IpamRecovery;
import io.cnm.operator.recovery.NodeSubnets;
import io.cnm.operator.service.ServiceReconciler;
import io.cnm.operator.status.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.HashMap;

/**
 * The lab's control plane, in its own process so that it outlives {@code cnm-lab up}: the
 * embedded Kubernetes API (the Fabric8 mock server in CRUD mode on 127.0.0.1) and the operator's
 * reconcilers on plain JOSDK against it, with the IPAM's default pools. (The mock server does not
 * support server-side apply, which the Quarkus build of the operator fixes on; the reconcilers
 * are the same classes.) Writes the API port to the state directory once both run, and serves
 * until {@code cnm-lab down} stops it. With {@code --images} it is the API alone (the operator
 * runs from its image) and also listens on the unix socket {@code api.sock} for {@link ApiRelay}.
 */
public final class LabServer {
  private LabServer() {}

  public static void main(String[] args) throws Exception {
    CnmLab.quietLogs();
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    Path state = Path.of(args[0]);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new io.cnm.api.status.ApiServerDispatcher(), false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    KubernetesClient client = CnmLab.client(server.getPort());
    CnmLab.seedApi(client, Integer.parseInt(args[1]));
    if (args.length > 2 && args[2].equals("--images")) {
      // The operator runs from its image; the containers reach this API through the unix socket (ApiRelay).
      ApiRelay.start("unix:" + state.resolve("api.sock"), "tcp:127.0.0.1:" + server.getPort());
      ready(state, server.getPort());
      Thread.currentThread().join();
    }
    // Remote IPAM drivers: Docker plugins in the lab's operator plugin directories (CnmLab.pluginSockets("operator")).
    Path plugins = state.resolve("plugins").resolve("operator");
    io.cnm.plugin.Plugins dockerPlugins = new io.cnm.plugin.Plugins(
        new io.cnm.plugin.PluginLocator(plugins.resolve("run"), List.of(plugins.resolve("etc"))), 10_000, 5_000);
    Ipam ipam = Ipam.withDockerDefaults().withPlugins(new io.cnm.operator.ipam.remote.RemoteIpamDrivers(dockerPlugins));
    IpamRecovery recovery = new IpamRecovery(client, ipam);
    EventRecorder events = new EventRecorder(client);
    Operator operator = new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false)
        .withCloseClientOnStop(false).withConcurrentReconciliationThreads(16)); // as the operator's application.properties
    operator.register(new NetworkReconciler(ipam, recovery, new NodeSubnets(client, ipam), events,
        new io.cnm.operator.network.remote.RemoteNetworkAllocator(dockerPlugins)));
    io.cnm.operator.config.Tuned.register(operator, new EndpointReconciler(ipam, recovery, events, new io.cnm.operator.endpoint.NodeLeases(client, "default")));
    operator.register(new ServiceReconciler(ipam, recovery, events));
    operator.register(new PodNetworksReconciler(events));
    operator.start();
    if (!"false".equals(System.getenv("CNM_LAB_ADMISSION_WEBHOOK"))) {
      // The endpoints' admission webhook, as the chart runs it (there through a Service, here on loopback): the API
      // calls it on each CnmEndpoint's create (ApiServerDispatcher). CNM_LAB_ADMISSION_WEBHOOK=false leaves it out.
      io.cnm.operator.admission.WebhookTls tls = new io.cnm.operator.admission.WebhookTls(client, "default", "cnm-operator-webhook-tls",
          List.of("localhost"), java.time.Duration.ofDays(365), java.time.Clock.systemUTC());
      io.cnm.operator.admission.AdmissionWebhook.start(client, "cnm-operator", io.cnm.operator.admission.AdmissionWebhook::local, tls,
          new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
    // The gossip keyring the node-daemons wait for, as the operator's GossipKeysLifecycle makes it.
    new io.cnm.operator.keys.GossipKeyRotator(client, "default", java.time.Duration.ofHours(12), java.time.Clock.systemUTC()).reconcile();
    // The cluster CA and the daemons' certificates, as the operator's NodeCertificatesLifecycle runs them (tests shorten the validity).
    long certSeconds = Long.parseLong(System.getenv().getOrDefault("CNM_LAB_CERTIFICATE_SECONDS", "86400"));
    new io.cnm.operator.pki.NodeCertificateIssuer(client, "default", java.time.Duration.ofSeconds(certSeconds),
        java.time.Duration.ofDays(3650), java.time.Clock.systemUTC()).start();
    ready(state, server.getPort());
    Thread.currentThread().join();
  }

  /** Tells cnm-lab up the API is there: its port, written whole. */
  private static void ready(Path state, int port) throws java.io.IOException {
    Files.writeString(state.resolve("api-port.tmp"), String.valueOf(port));
    Files.move(state.resolve("api-port.tmp"), state.resolve("api-port"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
