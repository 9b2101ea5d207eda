package io.cnm.daemon.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** memberlist's timer maths, table-driven (values computed by hand from its formulas). */
class TimersTest {
  @ParameterizedTest
  @CsvSource({"4,1,4", "4,9,4", "4,10,8", "4,99,8", "4,100,12", "3,1000,12"})
  void retransmitLimit_isMultTimesCeilLog10OfNPlusOne(int mult, int n, int expected) {
    assertThat(Timers.retransmitLimit(mult, n)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"4,1,1000,4000", "4,3,1000,4000", "4,10,1000,4000", "4,100,1000,8000", "4,1000,1000,12000", "5,100,200,2000"})
  void suspicionTimeout_isMultTimesMaxOneLog10NTimesInterval(int mult, int n, long interval, long expected) {
    assertThat(Timers.suspicionTimeout(mult, n, interval)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"0,3,2000,30000,30000", "1,3,2000,30000,16000", "3,3,2000,30000,2000", "5,3,2000,30000,2000", "0,0,2000,30000,2000"})
  void lifeguardSuspicion_shrinksWithConfirmations(int c, int k, long min, long max, long expected) {
    assertThat(Timers.suspicionTimeout(c, k, min, max)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"500,0,500", "500,1,1000", "500,7,4000"})
  void localHealth_scalesTimeouts(long t, int score, long expected) {
    assertThat(Timers.scaled(t, score)).isEqualTo(expected);
  }
}
