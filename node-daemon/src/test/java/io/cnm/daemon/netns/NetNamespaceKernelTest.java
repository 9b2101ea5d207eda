package io.cnm.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.daemon.kernel.TestNamespaces;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Work inside a namespace that hangs costs its caller the timeout, not the caller itself. */
@Tag("kernel")
class NetNamespaceKernelTest {
  TestNamespaces ns;

  @BeforeEach
  void setUp() {
    TestNamespaces.assumeKernelTestsCanRun();
    ns = new TestNamespaces();
  }

  @AfterEach
  void tearDown() {
    NetNamespace.setTimeout(30_000);
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void workThatHangs_failsAfterTheTimeout_andTheNextWorkRuns() {
    NetNamespace sandbox = ns.create("hang");
    NetNamespace.setTimeout(300);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> sandbox.run(() -> {
      Thread.sleep(5_000);
      return null;
    })).hasMessageContaining("did not finish within 300 ms").hasMessageContaining(sandbox.path());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    assertThat(sandbox.run(() -> "next")).isEqualTo("next");
  }
}
