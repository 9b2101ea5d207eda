package io.cnm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test CEL environment must behave like Kubernetes' IP/CIDR library, or the catalogue proves nothing. */
class KubernetesCelTest {
  private final KubernetesCel cel = new KubernetesCel();

  @Test
  void ipAndCidrFunctions_followKubernetesSemantics() throws Exception {
    assertThat(cel.evaluate("isCIDR(self)", "10.1.0.0/24")).isEqualTo(true);
    assertThat(cel.evaluate("isCIDR(self)", "10.1.0.0")).isEqualTo(false);
    assertThat(cel.evaluate("isIP(self)", "010.1.0.1")).isEqualTo(false);
    assertThat(cel.evaluate("isIP(self)", "::ffff:10.1.0.1")).isEqualTo(false);
    assertThat(cel.evaluate("isIP(self)", "fe80::1%eth0")).isEqualTo(false);
    assertThat(cel.evaluate("ip(self).family()", "2001:db8::1")).isEqualTo(6L);
    assertThat(cel.evaluate("cidr(self).containsIP('10.1.0.9')", "10.1.0.0/24")).isEqualTo(true);
    assertThat(cel.evaluate("cidr(self).containsIP('10.1.1.9')", "10.1.0.0/24")).isEqualTo(false);
    assertThat(cel.evaluate("cidr(self).containsCIDR('10.1.0.128/25')", "10.1.0.0/24")).isEqualTo(true);
    assertThat(cel.evaluate("cidr(self).containsCIDR('10.1.0.0/23')", "10.1.0.0/24")).isEqualTo(false);
    assertThat(cel.evaluate("cidr(self).prefixLength()", "10.1.0.0/24")).isEqualTo(24L);
  }

  @Test
  void equalityOfOpaqueValues_comparesAddresses() throws Exception {
    assertThat(cel.evaluate("cidr(self).ip() == cidr(self).masked().ip()", "10.1.0.0/24")).isEqualTo(true);
    assertThat(cel.evaluate("cidr(self).ip() == cidr(self).masked().ip()", "10.1.0.5/24")).isEqualTo(false);
    assertThat(cel.evaluate("ip('10.1.0.0') != cidr(self).masked().ip()", "10.1.0.0/24")).isEqualTo(false);
  }

  @Test
  void macrosAndMaps_work() throws Exception {
    assertThat(cel.evaluate("self.all(a, self.exists_one(b, b == a))", List.of("a", "b"))).isEqualTo(true);
    assertThat(cel.evaluate("self.all(a, self.exists_one(b, b == a))", List.of("a", "a"))).isEqualTo(false);
    assertThat(cel.evaluate("!has(self.x) || self.x == 'y'", Map.of("z", 1L))).isEqualTo(true);
    assertThat(cel.evaluate("self.all(k, isIP(self[k]))", Map.of("r", "10.0.0.1"))).isEqualTo(true);
  }

  @Test
  void ipOfInvalidText_isAnError() {
    assertThatThrownBy(() -> cel.evaluate("ip(self).family() == 4", "nope")).isInstanceOf(Exception.class);
  }
}
