package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart runs the daemon's JIT with thresholds raised 20 times (memory), except for the pass's
 * own classes, named by a per-method CompileCommand. A pattern that no longer names them (a
 * package renamed) would leave the pass's loops interpreted without a word from the JVM.
 */
class ChartJitTest {
  @Test
  void theChartsCompileCommand_namesThePassesClasses() throws Exception {
    String values = Files.readString(Path.of("..", "helm", "cnm-operator", "values.yaml"));
    Matcher daemon = Pattern.compile("(?ms)^nodeDaemon:.*?^  jvmOptions: \"([^\"]*)\"").matcher(values);
    assertThat(daemon.find()).as("nodeDaemon.jvmOptions in the chart's values").isTrue();
    Matcher scaling = Pattern.compile("-XX:CompileCommand=CompileThresholdScaling,([\\w.]+)\\.\\*::\\*,([\\d.]+)").matcher(daemon.group(1));
    assertThat(scaling.find()).as("a per-method CompileThresholdScaling in %s", daemon.group(1)).isTrue();
    for (Class<?> pass : new Class<?>[] {NodeAgent.class, DesiredState.class, DesiredState.Memo.class, ServiceViews.class}) {
      assertThat(pass.getName()).startsWith(scaling.group(1) + ".");
    }
    // It brings the pass's thresholds back to the JVM's defaults: the global scaling times this one.
    Matcher global = Pattern.compile("-XX:CompileThresholdScaling=([\\d.]+)").matcher(daemon.group(1));
    assertThat(global.find()).isTrue();
    assertThat(Double.parseDouble(global.group(1)) * Double.parseDouble(scaling.group(2))).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
  }
}
