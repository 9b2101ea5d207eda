package io.cnm.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The daemon reads the names MicroProfile Config read when it ran on Quarkus: the chart's environment keeps working. */
class SettingsTest {
  private static Properties file(String key, String value) {
    Properties p = new Properties();
    p.setProperty(key, value);
    return p;
  }

  @Test
  void environmentNames_areMicroProfilesMapping() {
    assertThat(Settings.envName("cnm.gossip.port")).isEqualTo("CNM_GOSSIP_PORT");
    assertThat(Settings.envName("cnm.plugins.spec-dirs")).isEqualTo("CNM_PLUGINS_SPEC_DIRS");
    assertThat(Settings.envName("node.name")).isEqualTo("NODE_NAME");
  }

  @Test
  void systemProperty_overEnvironment_overFile_overDefault() {
    Properties f = file("cnm.http.port", "9464");
    assertThat(Settings.of(Map.of(), Map.of(), f).intValue("cnm.http.port", 1)).isEqualTo(9464);
    assertThat(Settings.of(Map.of(), Map.of("CNM_HTTP_PORT", "19465"), f).intValue("cnm.http.port", 1)).isEqualTo(19465);
    assertThat(Settings.of(Map.of("cnm.http.port", "7"), Map.of("CNM_HTTP_PORT", "19465"), f).intValue("cnm.http.port", 1)).isEqualTo(7);
    assertThat(Settings.of(Map.of(), Map.of(), new Properties()).intValue("cnm.http.port", 1)).isEqualTo(1);
  }

  @Test
  void blankIsUnset_listsSplitOnCommas() {
    Settings s = Settings.of(Map.of(), Map.of("NODE_NAME", " ", "CNM_GOSSIP_SEEDS", "10.0.0.1, 10.0.0.2:7947,,"), new Properties());
    assertThat(s.get("node.name")).isEmpty();
    assertThat(s.list("cnm.gossip.seeds")).contains(List.of("10.0.0.1", "10.0.0.2:7947"));
    assertThat(s.list("cnm.plugins.spec-dirs", List.of("/etc/docker/plugins"))).containsExactly("/etc/docker/plugins");
  }

  @Test
  void aValueThatDoesNotParse_namesTheSettingAndWhereItCameFrom() {
    Settings s = Settings.of(Map.of(), Map.of("CNM_GOSSIP_PORT", "79x7", "CNM_GOSSIP_TLS_ENABLED", "maybe"), new Properties());
    assertThatThrownBy(() -> s.intValue("cnm.gossip.port", 7947))
        .hasMessage("environment variable CNM_GOSSIP_PORT is '79x7', expected a whole number");
    assertThatThrownBy(() -> s.bool("cnm.gossip.tls.enabled", true))
        .hasMessage("environment variable CNM_GOSSIP_TLS_ENABLED is 'maybe', expected true or false");
    assertThatThrownBy(() -> Settings.of(Map.of(), Map.of("CNM_HTTP_PORT", "99999999999"), new Properties()).intValue("cnm.http.port", 1))
        .hasMessageContaining("expected a number from");
    assertThatThrownBy(() -> Settings.of(Map.of(), Map.of("CNM_DNS_EVENT_LOOPS", "0"), new Properties()).intValue("cnm.dns.event-loops", 1, 1, 64))
        .hasMessage("environment variable CNM_DNS_EVENT_LOOPS is '0', expected a number from 1 to 64");
  }
}
