package io.cnm.operator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmService;
import io.cnm.operator.endpoint.EndpointStoreTest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceEndpointStoreTest {
  static CnmService service(Map<String, String> selector, String... networks) {
    CnmService svc = new CnmService();
    svc.getMetadata().setName("web");
    svc.getMetadata().setNamespace("shop");
    svc.setSpec(new io.cnm.api.v1alpha1.CnmServiceSpec());
    svc.getSpec().setSelector(selector);
    svc.getSpec().setNetworks(List.of(networks));
    return svc;
  }

  @Test
  void aSlimEndpointCountsAsTheWholeOne_andIsMuchSmaller() {
    CnmEndpoint ready = EndpointStoreTest.bound("web-1-front", "True");
    CnmEndpoint waiting = EndpointStoreTest.bound("web-2-front", "False");
    CnmEndpoint other = EndpointStoreTest.bound("db-1-front", "True");
    other.getMetadata().setLabels(Map.of("app", "db"));
    for (CnmService svc : List.of(service(Map.of("app", "web"), "front"), service(Map.of("app", "web"), "back"),
        service(Map.of("app", "db"), "front", "back"), service(Map.of(), "front"))) {
      Set<CnmEndpoint> whole = Set.of(ready, waiting, other);
      Set<CnmEndpoint> slim = Set.of(ServiceEndpointStore.slim(ready), ServiceEndpointStore.slim(waiting), ServiceEndpointStore.slim(other));
      assertThat(ServiceReconciler.backends(svc, slim)).isEqualTo(ServiceReconciler.backends(svc, whole));
    }
    assertThat(ServiceReconciler.backends(service(Map.of("app", "web"), "front"), Set.of(ServiceEndpointStore.slim(ready),
        ServiceEndpointStore.slim(waiting)))).isEqualTo(1);
    CnmEndpoint slim = ServiceEndpointStore.slim(ready);
    assertThat(slim.getMetadata().getName()).isEqualTo("web-1-front");
    assertThat(slim.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(Serialization.asJson(slim).length()).isLessThan(Serialization.asJson(ready).length() / 2);
  }

  @Test
  void theStoreKeepsSlimCopies() {
    ServiceEndpointStore store = new ServiceEndpointStore();
    CnmEndpoint ep = EndpointStoreTest.bound("web-1-front", "True");
    store.put(store.getKey(ep), ep);
    assertThat(store.get("shop/web-1-front").getStatus().getIpv4Address()).isNull();
    assertThat(store.get("shop/web-1-front").getSpec().getNetwork()).isEqualTo("front");
  }
}
