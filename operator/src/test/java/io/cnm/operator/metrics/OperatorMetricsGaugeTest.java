package io.cnm.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.operator.ipam.Ipam;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster-wide gauges keep reading their source after a collection, whoever holds the objects they read. */
class OperatorMetricsGaugeTest {
  @Test
  void theVniAndVipGauges_outliveTheObjectsThatRegisteredThem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new OperatorMetrics(registry, new Ipam(List.of(), List.of()));
    for (int i = 0; i < 3; i++) {
      System.gc(); // a weakly held source would be gone now, and its gauge NaN
    }
    assertThat(registry.get("cnm.vnis.in.use").gauge().value()).isZero();
    assertThat(registry.get("cnm.vips.in.use").gauge().value()).isZero();
  }
}
