package io.cnm.operator.api;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmService;
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
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * The operator's reconcilers on plain JOSDK against the Fabric8 mock API server in CRUD mode,
 * with the generated CRDs installed. Unlike a Quarkus test it can stop the operator and start a
 * new one (new IPAM, empty memory) against the same API state: a restart.
 */
public final class OperatorHarness implements AutoCloseable {
  /** The mock server logs every request at INFO through java.util.logging; keep a reference so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private Operator operator;
  private Ipam ipam;
  private io.cnm.operator.ipam.IpamPlugin plugins = io.cnm.operator.ipam.IpamPlugin.NONE;
  private io.cnm.operator.network.NetworkAllocator allocator = io.cnm.operator.network.NetworkAllocator.NONE;

  public OperatorHarness() {
    // An operator stopped at the end of a test can still finish a reconcile whose retry then lands on its
    // cancelled timer ("Task already scheduled or cancelled", thrown on a JOSDK worker thread). Awaitility would
    // fail whatever test is awaiting at that moment with it; it is not that test's failure.
    Awaitility.doNotCatchUncaughtExceptionsByDefault();
    server = io.cnm.api.status.ApiServerDispatcher.start();
    client = server.createClient();
    io.cnm.api.crd.Crds.install(client);
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("test")
        .endMetadata().build()).create();
  }

  /** Starts an operator process: a new IPAM, restored from status on its first reconcile. */
  public OperatorHarness start() {
    ipam = Ipam.withDockerDefaults().withPlugins(plugins);
    IpamRecovery recovery = new IpamRecovery(client, ipam);
    EventRecorder events = new EventRecorder(client);
    operator = new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false)
        .withCloseClientOnStop(false).withCacheSyncTimeout(Duration.ofSeconds(30))
        .withReconciliationTerminationTimeout(Duration.ofSeconds(5)));
    operator.register(new NetworkReconciler(ipam, recovery, new NodeSubnets(client, ipam), events, allocator));
    io.cnm.operator.config.Tuned.register(operator, new EndpointReconciler(ipam, recovery, events, new io.cnm.operator.endpoint.NodeLeases(client, "test")));
    operator.register(new ServiceReconciler(ipam, recovery, events));
    operator.register(new PodNetworksReconciler(events));
    operator.start();
    return this;
  }

  /** Remote IPAM drivers for the operators this harness starts. */
  public OperatorHarness withPlugins(io.cnm.operator.ipam.IpamPlugin plugins) {
    this.plugins = plugins;
    return this;
  }

  /** Global-scope remote network drivers' AllocateNetwork/FreeNetwork for the operators this harness starts. */
  public OperatorHarness withAllocator(io.cnm.operator.network.NetworkAllocator allocator) {
    this.allocator = allocator;
    return this;
  }

  /** Stops the operator process; the API keeps everything it wrote. */
  public void stop() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  public OperatorHarness restart() {
    stop();
    return start();
  }

  public Ipam ipam() {
    return ipam;
  }

  public CnmNetwork network(String name) {
    return client.resources(CnmNetwork.class).inNamespace("test").withName(name).get();
  }

  public CnmEndpoint endpoint(String name) {
    return client.resources(CnmEndpoint.class).inNamespace("test").withName(name).get();
  }

  public CnmService service(String name) {
    return client.resources(CnmService.class).inNamespace("test").withName(name).get();
  }

  @Override
  public void close() {
    stop();
    client.close();
    server.destroy();
  }
}
