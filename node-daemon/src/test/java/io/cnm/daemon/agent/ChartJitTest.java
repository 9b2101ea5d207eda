package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.daemon.dns.SandboxResolvers;
import io.cnm.daemon.lb.SandboxBalancers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart runs the daemon's JIT with thresholds raised 20 times (memory), except for the pass's
 * own classes and the two loops it calls over every sandbox, named by per-method CompileCommands.
 * A pattern that no longer names them (a package or a method renamed) would leave the pass's
 * loops interpreted without a word from the JVM.
 */
class ChartJitTest {
  @Test
  void theChartsCompileCommands_nameThePassesClassesAndLoops() throws Exception {
    String values = Files.readString(Path.of("..", "helm", "cnm-operator", "values.yaml"));
    Matcher daemon = Pattern.compile("(?ms)^nodeDaemon:.*?^  jvmOptions: \"([^\"]*)\"").matcher(values);
    assertThat(daemon.find()).as("nodeDaemon.jvmOptions in the chart's values").isTrue();
    Matcher global = Pattern.compile("-XX:CompileThresholdScaling=([\\d.]+)").matcher(daemon.group(1));
    assertThat(global.find()).isTrue();
    List<Pattern> named = new ArrayList<>();
    Matcher scaling = Pattern.compile("-XX:CompileCommand=CompileThresholdScaling,(\\S+),([\\d.]+)").matcher(daemon.group(1));
    while (scaling.find()) {
      // Each brings its methods back to the JVM's default thresholds: the global scaling times this one.
      assertThat(Double.parseDouble(global.group(1)) * Double.parseDouble(scaling.group(2))).as(scaling.group())
          .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
      named.add(Pattern.compile(Pattern.quote(scaling.group(1)).replace("*", "\\E.*\\Q")));
    }
    List<String> methods = new ArrayList<>();
    for (Class<?> pass : new Class<?>[] {NodeAgent.class, DesiredState.class, DesiredState.Memo.class, ServiceViews.class}) {
      methods.add(pass.getName() + "::anyMethod"); // every method of these classes: a pattern of the whole class or package
    }
    // By reflection: a renamed method fails here, not silently in the JVM.
    methods.add(SandboxResolvers.class.getName() + "::" + SandboxResolvers.class.getMethod("serve", Set.class, Predicate.class).getName());
    methods.add(SandboxBalancers.class.getName() + "::" + SandboxBalancers.class.getMethod("apply", Map.class, boolean.class).getName());
    for (String m : methods) {
      assertThat(named).as("a CompileCommand naming %s", m).anyMatch(p -> p.matcher(m).matches());
    }
  }
}
