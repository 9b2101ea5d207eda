package io.cnm.daemon.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.crd.Crds;
import io.cnm.api.status.ApiServerDispatcher;
import io.cnm.api.status.Conditions;
import io.cnm.api.status.EndpointStatusOwners;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's status writes against a real HTTP server (the mock API server with the real API
 * server's rule for stale status writes), over plain HTTP and over TLS: written directly, with the
 * client's token; a stale one refused as the client would refuse it; a configuration it does not
 * handle, a write the server refuses as unauthorized or forbidden, or a server it cannot reach,
 * left to the client.
 */
class DirectStatusPutTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    server.destroy();
  }

  private KubernetesClient start(boolean https, java.util.function.UnaryOperator<ConfigBuilder> config) {
    return start(https, config, new ApiServerDispatcher());
  }

  private KubernetesClient start(boolean https, java.util.function.UnaryOperator<ConfigBuilder> config, Dispatcher dispatcher) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, https);
    server.init();
    KubernetesClient admin = server.createClient();
    Crds.install(admin);
    admin.close();
    // As a node-daemon's client is configured in a cluster: the API server's URL, its CA (here: trusted), a token.
    client = new KubernetesClientBuilder().withConfig(config.apply(new ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
        .withMasterUrl(server.url("/")).withNamespace("test").withTrustCerts(true)).build()).build();
    return client;
  }

  private CnmEndpoint created(String name) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("test");
    e.setSpec(new CnmEndpointSpec());
    e.getSpec().setNetwork("net");
    return client.resource(e).create();
  }

  private CnmEndpoint realized(CnmEndpoint e, String message) {
    CnmEndpoint c = client.getKubernetesSerialization().clone(e);
    c.setStatus(new io.cnm.api.v1alpha1.CnmEndpointStatus());
    c.getStatus().setConditions(Conditions.set(null, Conditions.REALIZED, true, "Realized", message, 1L));
    c.getStatus().setInterfaceName("eth0");
    return c;
  }

  @Test
  void overHttp_aWriteIsMadeDirectlyWithTheClientsToken_andAStaleOneIsAConflict() throws Exception {
    start(false, b -> b.withOauthToken("t0k3n"));
    DirectStatusPut<CnmEndpoint> put = new DirectStatusPut<>(client, CnmEndpoint.class);
    CnmEndpoint ep = created("ep");

    CnmEndpoint written = put.apply(realized(ep, "first"));
    assertThat(written.getStatus().getInterfaceName()).isEqualTo("eth0");
    assertThat(written.getMetadata().getResourceVersion()).isNotEqualTo(ep.getMetadata().getResourceVersion());
    var request = server.getLastRequest();
    assertThat(request.getMethod()).isEqualTo("PUT");
    assertThat(request.getPath()).isEqualTo("/apis/cnm.io/v1alpha1/namespaces/test/cnmendpoints/ep/status");
    assertThat(request.getHeader("Authorization")).isEqualTo("Bearer t0k3n");
    assertThat(client.resource(ep).get().getStatus().getInterfaceName()).as("stored").isEqualTo("eth0");

    assertThatThrownBy(() -> put.apply(realized(ep, "from the stale copy")))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(Conditions.find(client.resource(ep).get().getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage())
        .as("nothing of the stale write stored").isEqualTo("first");

    // Through the daemon's write: the conflict is told, and the change made again on the object as it is now.
    AtomicInteger conflicts = new AtomicInteger();
    CnmEndpoint again = EndpointStatusOwners.writeDaemonPart(client, ep, false, "JoinFailed", "no such sandbox", null,
        conflicts::incrementAndGet, put);
    assertThat(conflicts).hasValue(1);
    assertThat(Conditions.find(again.getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getReason()).isEqualTo("JoinFailed");
    assertThat(put.viaClient()).as("every write made directly").isZero();
  }

  @Test
  void overTls_aWriteIsMadeDirectly() {
    start(true, b -> b);
    assertThat(client.getConfiguration().getMasterUrl()).startsWith("https:");
    DirectStatusPut<CnmEndpoint> put = new DirectStatusPut<>(client, CnmEndpoint.class);
    CnmEndpoint ep = created("ep");
    assertThat(put.apply(realized(ep, "over TLS")).getStatus().getInterfaceName()).isEqualTo("eth0");
    assertThat(client.resource(ep).get().getStatus().getInterfaceName()).isEqualTo("eth0");
    assertThat(put.viaClient()).isZero();
  }

  @Test
  void aConfigurationItDoesNotHandle_isLeftToTheClient() {
    start(false, b -> b.withImpersonateUsername("someone"));
    assertThat(DirectStatusPut.unsupported(client.getConfiguration())).isEqualTo("impersonation is configured");
    DirectStatusPut<CnmEndpoint> put = new DirectStatusPut<>(client, CnmEndpoint.class);
    CnmEndpoint ep = created("ep");
    assertThat(put.apply(realized(ep, "through the client")).getStatus().getInterfaceName()).isEqualTo("eth0");
    assertThat(put.viaClient()).isEqualTo(1);
    assertThat(DirectStatusPut.unsupported(new ConfigBuilder(client.getConfiguration()).withImpersonateUsername(null)
        .withHttpsProxy("http://proxy:3128").build())).isEqualTo("a proxy is configured");
    assertThat(DirectStatusPut.unsupported(new ConfigBuilder(client.getConfiguration()).withImpersonateUsername(null)
        .withUsername("admin").withPassword("secret").build())).isEqualTo("basic auth is configured");
    assertThat(DirectStatusPut.unsupported(new ConfigBuilder(client.getConfiguration()).withImpersonateUsername(null).build())).isNull();
  }

  @Test
  void aServerItCannotReach_leavesTheWriteToTheClient_whoseErrorIsThrown() {
    start(false, b -> b.withRequestRetryBackoffLimit(0)); // the client's own attempt fails at once too
    CnmEndpoint ep = created("ep");
    int port = server.getPort();
    server.destroy();
    server = new KubernetesMockServer(); // torn down again after the test; nothing listens on the old port now
    DirectStatusPut<CnmEndpoint> put = new DirectStatusPut<>(client, CnmEndpoint.class);
    assertThat(client.getConfiguration().getMasterUrl()).contains(":" + port);
    assertThatThrownBy(() -> put.apply(realized(ep, "nowhere"))).isInstanceOf(KubernetesClientException.class);
    assertThat(put.viaClient()).isEqualTo(1);
  }

  /**
   * The API server as it answers a token it no longer accepts: the next status PUT refused with
   * {@code code}, everything else (the client's own attempt after it) as before.
   */
  private static final class RefusingNextStatusWrite extends Dispatcher {
    private final ApiServerDispatcher api = new ApiServerDispatcher();
    private final List<String> statusWrites = Collections.synchronizedList(new ArrayList<>());
    private volatile int refuse;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if ("PUT".equals(request.getMethod()) && request.getPath().endsWith("/status")) {
        statusWrites.add(request.getHeader("User-Agent"));
        int code = refuse;
        if (code != 0) {
          refuse = 0;
          return new MockResponse().setResponseCode(code).setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
              + "\"code\":" + code + "}");
        }
      }
      return api.dispatch(request);
    }
  }

  @Test
  void aWriteRefusedAsUnauthorizedOrForbidden_isMadeAgainByTheClient_andCounted() {
    RefusingNextStatusWrite dispatcher = new RefusingNextStatusWrite();
    start(false, b -> b.withOauthToken("t0k3n"), dispatcher);
    DirectStatusPut<CnmEndpoint> put = new DirectStatusPut<>(client, CnmEndpoint.class);
    CnmEndpoint ep = created("ep");
    int code = 401;
    for (String message : List.of("after a 401", "after a 403")) {
      dispatcher.refuse = code;
      CnmEndpoint written = put.apply(realized(client.resource(ep).get(), message));
      assertThat(Conditions.find(written.getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage()).isEqualTo(message);
      assertThat(Conditions.find(client.resource(ep).get().getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage())
          .as("stored").isEqualTo(message);
      code = 403;
    }
    assertThat(put.viaClient()).as("each refused write went through the client").isEqualTo(2);
    assertThat(dispatcher.statusWrites).as("each refused direct write, then the client's").hasSize(4)
        .satisfies(agents -> {
          assertThat(agents.get(0)).isEqualTo("cnm-node-daemon");
          assertThat(agents.get(1)).isNotEqualTo("cnm-node-daemon");
          assertThat(agents.get(2)).isEqualTo("cnm-node-daemon");
          assertThat(agents.get(3)).isNotEqualTo("cnm-node-daemon");
        });

    CnmEndpoint direct = put.apply(realized(client.resource(ep).get(), "direct again"));
    assertThat(Conditions.find(direct.getStatus().getConditions(), Conditions.REALIZED).orElseThrow().getMessage()).isEqualTo("direct again");
    assertThat(put.viaClient()).as("the next write is direct again").isEqualTo(2);
    assertThat(dispatcher.statusWrites).hasSize(5).last().isEqualTo("cnm-node-daemon");
  }
}
