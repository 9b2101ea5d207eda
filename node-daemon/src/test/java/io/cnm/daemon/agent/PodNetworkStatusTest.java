package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a pod that asked for networks is told: the readiness-gate condition cnm.io/networks-ready
 * and the cnm.io/network-status annotation, from its endpoints as the daemon sees them. (The
 * agent writes them for the pods of its node, found with a spec.nodeName field selector, which
 * the mock API server of the kernel tests ignores; hence this test of what is written.)
 */
class PodNetworkStatusTest {
  static Pod pod(String networks) {
    return new PodBuilder().withNewMetadata().withName("web").withNamespace("t").withAnnotations(Map.of("cnm.io/networks", networks))
        .endMetadata().build();
  }

  static CnmEndpoint endpoint(String name, String network, String ip, String ifname, boolean realized) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("t");
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork(network);
    e.setSpec(spec);
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setIpv4Address(Cidr.parse(ip).toString());
    st.setMacAddress("02:42:0a:00:00:02");
    st.setInterfaceName(ifname);
    st.setConditions(Conditions.set(null, Conditions.REALIZED, realized, realized ? "Realized" : "JoinFailed", "x", 1L));
    e.setStatus(st);
    return e;
  }

  @Test
  void networksAskedFor_areTheAnnotationsEntries() {
    assertThat(PodNetworkStatus.asked(pod("front, back@ip=10.1.2.3;alias=db"))).isEqualTo(2);
    assertThat(PodNetworkStatus.asked(pod(" "))).isZero();
  }

  @Test
  void allRealized_isTrue_andTheAnnotationListsThemAsMultusDoes() {
    List<PodNetworkStatus.Attached> attached = PodNetworkStatus.attached(List.of(
        endpoint("web-front", "front", "10.0.0.2/24", "eth1", true), endpoint("web-back", "back", "10.1.2.3/24", "eth2", true)));
    PodCondition c = PodNetworkStatus.condition(pod("front, back"), 2, attached.size());
    assertThat(c.getType()).isEqualTo("cnm.io/networks-ready");
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getMessage()).isEqualTo("2 of 2 networks attached");
    assertThat(PodNetworkStatus.annotation(attached)).isEqualTo(
        "[{\"name\":\"t/back\",\"interface\":\"eth2\",\"ips\":[\"10.1.2.3\"],\"mac\":\"02:42:0a:00:00:02\",\"default\":false},"
            + "{\"name\":\"t/front\",\"interface\":\"eth1\",\"ips\":[\"10.0.0.2\"],\"mac\":\"02:42:0a:00:00:02\",\"default\":false}]");
  }

  @Test
  void oneNotRealizedOrMissing_isFalse_sayingHowFarItGot_andTheTransitionTimeStaysWhileItDoes() {
    List<PodNetworkStatus.Attached> attached = PodNetworkStatus.attached(List.of(
        endpoint("web-front", "front", "10.0.0.2/24", "eth1", true), endpoint("web-back", "back", "10.1.2.3/24", null, false)));
    Pod p = pod("front, back, third");
    PodCondition c = PodNetworkStatus.condition(p, 3, attached.size());
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getMessage()).isEqualTo("1 of 3 networks attached");
    p.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
    p.getStatus().setConditions(List.of(c));
    PodCondition again = PodNetworkStatus.condition(p, 3, 1);
    assertThat(PodNetworkStatus.same(again, PodNetworkStatus.current(p))).isTrue();
    assertThat(again.getLastTransitionTime()).isEqualTo(c.getLastTransitionTime());
  }
}
