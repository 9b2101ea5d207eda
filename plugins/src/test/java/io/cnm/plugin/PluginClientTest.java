package io.cnm.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.plugin.ipam.IpamDriverApi;
import io.cnm.plugin.network.NetworkDriverApi;
import io.cnm.plugin.testing.TestPlugin;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, activation, errors, timeouts and restarts against real plugin processes on real sockets. */
class PluginClientTest {
  @TempDir
  Path tmp;
  Path sockets;
  Path etc;
  Path usrLib;
  PluginLocator locator;
  final List<TestPlugin> plugins = new ArrayList<>();
  final AtomicLong now = new AtomicLong(1_000);

  @BeforeEach
  void setUp() {
    TestPlugin.assumePython();
    sockets = tmp.resolve("run");
    etc = tmp.resolve("etc");
    usrLib = tmp.resolve("usrlib");
    locator = new PluginLocator(sockets, List.of(etc, usrLib));
  }

  @AfterEach
  void tearDown() {
    plugins.forEach(TestPlugin::close);
  }

  TestPlugin start(String kind, String where, String... extra) {
    TestPlugin p = TestPlugin.start(kind, tmp.resolve("work"), where, null, extra);
    plugins.add(p);
    return p;
  }

  PluginClient client(String name, long timeoutMillis) {
    return new PluginClient(name, locator, timeoutMillis, 5_000, now::get);
  }

  IpamDriverApi.AddressSpaces spaces(PluginClient c) {
    return c.call(IpamDriverApi.KIND, "GetDefaultAddressSpaces", null, IpamDriverApi.AddressSpaces.class);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void findsASocketInTheSocketsDirectory_andActivatesBeforeTheFirstCall() {
    TestPlugin p = start("ipam", "unix:" + sockets.resolve("acme.sock"));
    PluginClient c = client("acme", 5_000);
    assertThat(spaces(c).localDefault()).isEqualTo("cnmtest-local");
    spaces(c);
    assertThat(p.callNames()).containsExactly("Plugin.Activate", "GetDefaultAddressSpaces", "GetDefaultAddressSpaces");
    assertThat(c.implementsKinds()).containsExactly("IpamDriver");
  }

  @Test
  void findsASocketInItsOwnSubdirectory() {
    start("ipam", "unix:" + sockets.resolve("acme").resolve("acme.sock"));
    assertThat(locator.find("acme").orElseThrow().source()).isEqualTo(sockets.resolve("acme/acme.sock"));
    assertThat(spaces(client("acme", 5_000)).globalDefault()).isEqualTo("cnmtest-global");
  }

  @Test
  void findsSpecFilesPointingAtUnixAndTcp_inBothSpecDirectories() throws IOException {
    Path sock = tmp.resolve("elsewhere/ipam.sock");
    start("ipam", "unix:" + sock);
    Files.createDirectories(etc);
    Files.writeString(etc.resolve("viaspec.spec"), "unix://" + sock + "\n");
    assertThat(spaces(client("viaspec", 5_000)).localDefault()).isEqualTo("cnmtest-local");

    int port = freePort();
    start("ipam", "tcp:" + port);
    Files.createDirectories(usrLib.resolve("viatcp"));
    Files.writeString(usrLib.resolve("viatcp/viatcp.spec"), "tcp://127.0.0.1:" + port);
    assertThat(locator.find("viatcp").orElseThrow().address().url()).isEqualTo("tcp://127.0.0.1:" + port);
    assertThat(spaces(client("viatcp", 5_000)).localDefault()).isEqualTo("cnmtest-local");

    Files.writeString(usrLib.resolve("viajson.json"), "{\"Name\":\"viajson\",\"Addr\":\"tcp://127.0.0.1:" + port + "\"}");
    assertThat(spaces(client("viajson", 5_000)).localDefault()).isEqualTo("cnmtest-local");
  }

  @Test
  void aSocketWinsOverASpec_andTheEtcSpecOverTheUsrLibOne() throws IOException {
    Files.createDirectories(etc);
    Files.createDirectories(usrLib);
    Files.writeString(etc.resolve("both.spec"), "tcp://127.0.0.1:1");
    Files.writeString(usrLib.resolve("both.spec"), "tcp://127.0.0.1:2");
    assertThat(locator.find("both").orElseThrow().source()).isEqualTo(etc.resolve("both.spec"));
    start("ipam", "unix:" + sockets.resolve("both.sock"));
    assertThat(locator.find("both").orElseThrow().source()).isEqualTo(sockets.resolve("both.sock"));
  }

  @Test
  void aMissingPlugin_saysWhereItWasLookedFor() {
    assertThatThrownBy(() -> spaces(client("nowhere", 1_000))).isInstanceOfSatisfying(PluginException.class, e -> {
      assertThat(e.reason()).isEqualTo(PluginException.UNAVAILABLE);
      assertThat(e.getMessage()).contains("plugin nowhere not found", sockets.resolve("nowhere.sock").toString(),
          etc.resolve("nowhere.{spec,json}").toString(), usrLib.resolve("nowhere.{spec,json}").toString());
    });
    assertThat(locator.searched("nowhere")).hasSize(10);
  }

  @Test
  void aSpecWithoutAProtocol_isRefusedWithTheFileNamed() throws IOException {
    Files.createDirectories(etc);
    Files.writeString(etc.resolve("bad.spec"), "/run/x.sock");
    assertThatThrownBy(() -> spaces(client("bad", 1_000))).isInstanceOfSatisfying(PluginException.class,
        e -> assertThat(e.getMessage()).contains(etc.resolve("bad.spec").toString(), "no protocol"));
  }

  @Test
  void thePluginsOwnError_isPassedOnVerbatim() {
    start("ipam", "unix:" + sockets.resolve("acme.sock"));
    PluginClient c = client("acme", 5_000);
    assertThatThrownBy(() -> c.call(IpamDriverApi.KIND, "RequestPool",
        new IpamDriverApi.RequestPool("made-up-space", "", "", Map.of(), false), IpamDriverApi.PoolAnswer.class))
        .isInstanceOfSatisfying(PluginException.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginException.ERROR);
          assertThat(e.getMessage()).endsWith("unknown address space 'made-up-space'");
        });
  }

  @Test
  void aPluginOfAnotherKind_isRefusedAtActivation() {
    start("ipam", "unix:" + sockets.resolve("acme.sock"));
    assertThatThrownBy(() -> client("acme", 5_000).call(NetworkDriverApi.KIND, "GetCapabilities", null,
        NetworkDriverApi.Capabilities.class)).isInstanceOfSatisfying(PluginException.class,
        e -> assertThat(e.getMessage()).contains("implements [IpamDriver], not NetworkDriver"));
  }

  @Test
  void aPluginThatNeverAnswers_timesOut_andIsNotCalledAgainUntilTheBackOffPassed() {
    start("ipam", "unix:" + sockets.resolve("slow.sock"), "--hang");
    PluginClient c = client("slow", 300);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> spaces(c)).isInstanceOfSatisfying(PluginException.class, e -> {
      assertThat(e.reason()).isEqualTo(PluginException.UNAVAILABLE);
      assertThat(e.getMessage()).contains("plugin slow", "timed out after 300 ms");
    });
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertThat(took).isBetween(250L, 3_000L);
    long t1 = System.nanoTime();
    assertThatThrownBy(() -> spaces(c)).hasMessageContaining("next attempt in");
    assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(100);
  }

  @Test
  void aPluginKilledAndStartedAgain_isGreetedAgain_afterTheBackOff() {
    TestPlugin p = start("ipam", "unix:" + sockets.resolve("acme.sock"));
    PluginClient c = client("acme", 2_000);
    spaces(c);
    p.kill();
    assertThatThrownBy(() -> spaces(c)).isInstanceOfSatisfying(PluginException.class,
        e -> assertThat(e.getMessage()).contains("connection refused"));
    p.restart();
    assertThatThrownBy(() -> spaces(c)).hasMessageContaining("next attempt in");
    now.addAndGet(10_000);
    spaces(c);
    assertThat(p.callNames()).containsExactly("Plugin.Activate", "GetDefaultAddressSpaces", "Plugin.Activate",
        "GetDefaultAddressSpaces");
  }

  @Test
  void chunkedAndLengthDelimitedAnswers_areRead() throws IOException {
    byte[] chunked = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(new String(HttpExchange.parse(chunked).body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    byte[] sized = "HTTP/1.1 500 Internal\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(HttpExchange.parse(sized).status()).isEqualTo(500);
  }
}
