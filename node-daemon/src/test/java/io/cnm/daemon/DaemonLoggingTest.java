package io.cnm.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The daemon's log lines look as they did under Quarkus: time, WARN/ERROR, the abbreviated category, the message. */
class DaemonLoggingTest {
  @Test
  void aRecord_isOneLine_withTheLevelAndCategoryAsBefore() {
    LogRecord r = new LogRecord(Level.WARNING, "preflight: {0} is missing");
    r.setParameters(new Object[] {"nft"});
    r.setLoggerName("io.cnm.daemon.agent.AgentLifecycle");
    r.setInstant(Instant.parse("2026-11-29T12:00:01Z"));
    String line = new DaemonLogging.OneLine().format(r);
    assertThat(line).matches("\\d\\d:\\d\\d:01 WARN  \\[i\\.c\\.d\\.a\\.AgentLifecycle] preflight: nft is missing\n");
  }

  @Test
  void levels_byTheNamesTheDaemonPrints() {
    assertThat(DaemonLogging.levelName(Level.SEVERE)).isEqualTo("ERROR");
    assertThat(DaemonLogging.levelName(Level.FINE)).isEqualTo("DEBUG");
    assertThat(DaemonLogging.level("DEBUG")).isEqualTo(Level.FINE);
    assertThat(DaemonLogging.level("WARN")).isEqualTo(Level.WARNING);
    assertThat(DaemonLogging.category("Main")).isEqualTo("Main");
  }
}
