package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A failure that repeats every pass is one line, then a reminder with a count, then one line when it is gone. */
class ProblemLogTest {
  final List<String> lines = new ArrayList<>();
  final AtomicLong now = new AtomicLong();
  final ProblemLog log = new ProblemLog(new ProblemLog.Sink() {
    @Override
    public void warn(String line, Throwable cause) {
      lines.add("WARN " + line);
    }

    @Override
    public void info(String line) {
      lines.add("INFO " + line);
    }
  }, now::get);

  void pass(String... failing) {
    for (String key : failing) {
      log.failed(key, "nft: Operation not permitted", new RuntimeException("x"));
    }
    log.endPass();
    now.addAndGet(2_000);
  }

  @Test
  void aFailureRepeatedEveryTwoSecondsForAnHour_isAHandfulOfLines() {
    for (int i = 0; i < 1800; i++) {
      pass("node n1: node table inet cnm");
    }
    pass();
    assertThat(lines).hasSize(1 + 5 + 1);
    assertThat(lines.get(0)).isEqualTo("WARN node n1: node table inet cnm: nft: Operation not permitted");
    assertThat(lines.get(1)).isEqualTo("WARN node n1: node table inet cnm: still failing (301 times so far): nft: Operation not permitted");
    assertThat(lines.get(6)).isEqualTo("INFO node n1: node table inet cnm: recovered (after failing 1800 times)");
  }

  @Test
  void aNewMessage_isLoggedAtOnce_andProblemsAreKeptApart() {
    pass("endpoint t/a", "endpoint t/b");
    log.failed("endpoint t/a", "another reason", null);
    log.endPass();
    assertThat(lines).containsExactly("WARN endpoint t/a: nft: Operation not permitted", "WARN endpoint t/b: nft: Operation not permitted",
        "WARN endpoint t/a: another reason", "INFO endpoint t/b: recovered (after failing 1 time)");
    assertThat(log.openProblems()).isEqualTo(1);
  }

  @Test
  void retries_backOffDoublingUpToTheCap_andStartOverAfterASuccess() {
    RetryBackoff b = new RetryBackoff(500, 30_000);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      delays.add(b.failed());
    }
    assertThat(delays).containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L);
    b.succeeded();
    assertThat(b.failed()).isEqualTo(500L);
  }
}
