package io.cnm.daemon.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start checks on a made-up /proc, /sys/module and /lib/modules, and once on this machine. */
class PreflightTest {
  @TempDir
  Path root;
  Path status;
  Path sys;
  Path modules;

  @BeforeEach
  void setUp() throws IOException {
    status = root.resolve("status");
    sys = Files.createDirectories(root.resolve("sys/module"));
    modules = Files.createDirectories(root.resolve("lib/modules/6.1.0"));
    for (String m : new String[] {"bridge", "veth", "nf_tables", "vxlan", "macvlan"}) {
      Files.createDirectories(sys.resolve(m));
    }
    Files.writeString(modules.resolve("modules.dep"), "kernel/net/8021q/8021q.ko.xz: kernel/net/802/garp.ko.xz\n");
    Files.writeString(modules.resolve("modules.builtin"), "");
  }

  Preflight preflight(String capEff, boolean nft) throws IOException {
    Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\n");
    return new Preflight(status, sys, modules, () -> nft);
  }

  @Test
  void aPrivilegedDaemonOnAFullKernel_hasNothingToSay() throws IOException {
    assertThat(preflight("000001ffffffffff", true).problems()).isEmpty();
  }

  @Test
  void anUnprivilegedDaemon_saysItNeedsPrivileges_notOperationNotPermitted() throws IOException {
    assertThat(preflight("0000000000000000", true).problems()).extracting(Preflight.Check::line).containsExactly(
        "missing CAP_NET_ADMIN (netlink, nftables): run the node-daemon privileged (securityContext.privileged: true), as the chart does",
        "missing CAP_SYS_ADMIN (entering sandboxes with setns): run the node-daemon privileged (securityContext.privileged: true), as the chart does");
  }

  @Test
  void noNftables_andAMissingModule_areNamed_optionalOnesMarkedSo() throws IOException {
    Files.delete(sys.resolve("veth"));
    Files.delete(sys.resolve("macvlan"));
    var problems = preflight("000001ffffffffff", false).problems();
    assertThat(problems).extracting(Preflight.Check::line).containsExactly(
        "missing nftables (libnftables.so.1 or the nft tool): install the nftables package on the node (the image carries it)",
        "missing kernel feature veth: load or build the kernel module veth",
        "missing (optional) kernel feature macvlan (macvlan networks): load the kernel module macvlan");
    assertThat(problems).filteredOn(Preflight.Check::required).hasSize(2);
  }

  @Test
  void aModuleThatCanBeLoadedOrIsBuiltIn_counts() throws IOException {
    Files.delete(sys.resolve("veth"));
    Files.writeString(modules.resolve("modules.builtin"), "kernel/drivers/net/veth.ko\n");
    Preflight p = preflight("000001ffffffffff", true);
    assertThat(p.kernelHas("veth")).isTrue();
    assertThat(p.kernelHas("8021q")).isTrue(); // loadable: in modules.dep
  }

  @Test
  void thisMachine_hasEverythingTheTestsUse_whenRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return;
    }
    var required = Preflight.ofThisMachine(() -> true).problems().stream().filter(Preflight.Check::required).toList();
    assertThat(required).isEmpty();
  }
}
