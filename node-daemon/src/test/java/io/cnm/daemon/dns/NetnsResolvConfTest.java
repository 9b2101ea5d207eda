package io.cnm.daemon.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsResolvConfTest {
  @TempDir
  Path etc;

  @Test
  void aFileWeCreated_goesWithItsDirectory_whenTheLastEndpointLeaves() throws Exception {
    NetnsResolvConf r = new NetnsResolvConf(etc);
    r.install("/run/netns/web");
    assertThat(Files.readString(etc.resolve("web/resolv.conf"))).contains("nameserver 127.0.0.11");
    r.restore("/run/netns/web");
    assertThat(etc.resolve("web")).doesNotExist();
  }

  @Test
  void aFileSomeoneElseWrote_isPutBack_andInstallingTwiceKeepsTheirs() throws Exception {
    Files.createDirectories(etc.resolve("db"));
    Files.writeString(etc.resolve("db/resolv.conf"), "nameserver 192.0.2.53\n");
    NetnsResolvConf r = new NetnsResolvConf(etc);
    r.install("/var/run/netns/db");
    r.install("/var/run/netns/db"); // a daemon restart writes it again: the saved copy must stay theirs
    assertThat(Files.readString(etc.resolve("db/resolv.conf"))).contains("127.0.0.11");
    r.restore("/var/run/netns/db");
    assertThat(Files.readString(etc.resolve("db/resolv.conf"))).isEqualTo("nameserver 192.0.2.53\n");
    assertThat(etc.resolve("db/" + NetnsResolvConf.SAVED)).doesNotExist();
  }

  @Test
  void podSandboxes_andFilesNotOurs_areNeverTouched() throws Exception {
    NetnsResolvConf r = new NetnsResolvConf(etc);
    r.install("/proc/123/ns/net");
    assertThat(etc).isEmptyDirectory();
    Files.createDirectories(etc.resolve("x"));
    Files.writeString(etc.resolve("x/resolv.conf"), "nameserver 192.0.2.1\n");
    r.restore("/run/netns/x");
    assertThat(Files.readString(etc.resolve("x/resolv.conf"))).isEqualTo("nameserver 192.0.2.1\n");
  }
}
