package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sandboxes web (front, back), db (back), lone (other); front 10.0.1.0/24, back 10.0.2.0/24. */
class AnswererTest {
  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  static final DnsRecords R = new DnsRecords(
      Map.of("web", Set.of("ns/front", "ns/back"), "db", Set.of("ns/back"), "lone", Set.of("ns/other")),
      Map.of("ns/front", Map.of("web", List.of(ip("10.0.1.2"))),
          "ns/back", Map.of("web", List.of(ip("10.0.2.3")), "db", List.of(ip("10.0.2.2"), ip("fd00::2")),
              "database", List.of(ip("10.0.2.2")), "api", List.of(ip("10.0.2.10")),
              "tasks.api", List.of(ip("10.0.2.11"), ip("10.0.2.12")))),
      Map.of("ns/front", "front", "ns/back", "back"));

  @Test
  void nameAndAlias_resolveOnASharedNetwork() {
    assertThat(Answerer.answer(R, "web", "db", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.2.2"))));
    assertThat(Answerer.answer(R, "web", "Database.", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.2.2"))));
    assertThat(Answerer.answer(R, "web", "db", 6)).isEqualTo(new Answerer.Local(List.of(ip("fd00::2"))));
  }

  @Test
  void namesOfOtherNetworks_areNotVisible_andAreForwarded() {
    assertThat(Answerer.answer(R, "db", "web", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.2.3"))));
    assertThat(Answerer.answer(R, "lone", "db", 4)).isInstanceOf(Answerer.Forward.class);
    assertThat(Answerer.answer(R, "web", "example.com", 4)).isInstanceOf(Answerer.Forward.class);
  }

  @Test
  void nameDotNetwork_resolvesOnThatNetwork() {
    assertThat(Answerer.answer(R, "web", "web.front", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.1.2"))));
  }

  @Test
  void serviceVip_andTasks_resolve() {
    assertThat(Answerer.answer(R, "db", "api", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.2.10"))));
    assertThat(Answerer.answer(R, "db", "tasks.api", 4)).isEqualTo(new Answerer.Local(List.of(ip("10.0.2.11"), ip("10.0.2.12"))));
  }

  @Test
  void knownNameOfAnotherType_isAnsweredEmpty_notForwarded() {
    assertThat(Answerer.answer(R, "web", "db", 0)).isEqualTo(new Answerer.Local(List.of()));
  }

  @Test
  void multiAddressAnswersRotate() {
    List<IpAddress> three = List.of(ip("10.0.2.11"), ip("10.0.2.12"), ip("10.0.2.13"));
    assertThat(Answerer.rotate(three, 0)).isEqualTo(three);
    assertThat(Answerer.rotate(three, 1)).containsExactly(ip("10.0.2.12"), ip("10.0.2.13"), ip("10.0.2.11"));
    assertThat(Answerer.rotate(three, 5)).containsExactly(ip("10.0.2.13"), ip("10.0.2.11"), ip("10.0.2.12"));
    assertThat(Answerer.rotate(three, -1)).containsExactly(ip("10.0.2.13"), ip("10.0.2.11"), ip("10.0.2.12"));
  }
}
