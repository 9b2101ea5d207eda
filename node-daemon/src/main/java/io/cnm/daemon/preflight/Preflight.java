package io.cnm.daemon.preflight;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The node-daemon's checks at start, each one line a user can act on: nftables (the library or
 * the {@code nft} tool), the capabilities it needs (CAP_NET_ADMIN for netlink and nftables,
 * CAP_SYS_ADMIN for setns into sandboxes), and the kernel features of the drivers (bridge, veth,
 * nf_tables required; vxlan for overlays, macvlan and 8021q for macvlan networks optional). A
 * kernel feature counts as present when its module is loaded ({@code /sys/module/NAME}) or can be
 * loaded or is built in (listed in {@code /lib/modules/RELEASE/modules.dep|modules.builtin}); when
 * the module lists cannot be read (built-in features without parameters are not in /sys/module),
 * it is not held against the node.
 */
public final class Preflight {
  static final int CAP_NET_ADMIN = 12;
  static final int CAP_SYS_ADMIN = 21;

  /** One check: what, whether the daemon cannot work without it, whether it passed, and how to fix it. */
  public record Check(String what, boolean required, boolean ok, String fix) {
    /** The one line a user reads when it failed. */
    public String line() {
      return (required ? "missing " : "missing (optional) ") + what + ": " + fix;
    }
  }

  private final Path procSelfStatus;
  private final Path sysModule;
  private final Path libModules;
  private final BooleanSupplier nftables;

  /**
   * @param libModules this kernel's module directory (/lib/modules/RELEASE)
   * @param nftables whether libnftables or the nft tool can be used
   */
  public Preflight(Path procSelfStatus, Path sysModule, Path libModules, BooleanSupplier nftables) {
    this.procSelfStatus = procSelfStatus;
    this.sysModule = sysModule;
    this.libModules = libModules;
    this.nftables = nftables;
  }

  /** The checks as this machine answers them. */
  public static Preflight ofThisMachine(BooleanSupplier nftables) {
    String release = System.getProperty("os.version");
    return new Preflight(Path.of("/proc/self/status"), Path.of("/sys/module"), Path.of("/lib/modules", release), nftables);
  }

  public List<Check> run() {
    List<Check> out = new ArrayList<>();
    out.add(new Check("nftables (libnftables.so.1 or the nft tool)", true, nftables.getAsBoolean(),
        "install the nftables package on the node (the image carries it)"));
    BigInteger caps = effectiveCapabilities();
    String privileged = "run the node-daemon privileged (securityContext.privileged: true), as the chart does";
    out.add(new Check("CAP_NET_ADMIN (netlink, nftables)", true, caps == null || caps.testBit(CAP_NET_ADMIN), privileged));
    out.add(new Check("CAP_SYS_ADMIN (entering sandboxes with setns)", true, caps == null || caps.testBit(CAP_SYS_ADMIN), privileged));
    for (String m : List.of("bridge", "veth", "nf_tables")) {
      out.add(new Check("kernel feature " + m, true, kernelHas(m), "load or build the kernel module " + m));
    }
    out.add(new Check("kernel feature vxlan (overlay networks)", false, kernelHas("vxlan"), "load the kernel module vxlan"));
    out.add(new Check("kernel feature macvlan (macvlan networks)", false, kernelHas("macvlan"), "load the kernel module macvlan"));
    out.add(new Check("kernel feature 8021q (VLAN parents of macvlan networks)", false, kernelHas("8021q"),
        "load the kernel module 8021q"));
    return out;
  }

  /** The checks that failed. */
  public List<Check> problems() {
    return run().stream().filter(c -> !c.ok()).toList();
  }

  private BigInteger effectiveCapabilities() {
    try {
      for (String line : Files.readAllLines(procSelfStatus)) {
        if (line.startsWith("CapEff:")) {
          return new BigInteger(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // cannot tell: not held against the node
    }
    return null;
  }

  boolean kernelHas(String module) {
    if (Files.isDirectory(sysModule.resolve(module))) {
      return true;
    }
    boolean readable = false;
    for (String list : List.of("modules.builtin", "modules.dep")) {
      Path f = libModules.resolve(list);
      if (Files.isReadable(f)) {
        readable = true;
        try (var lines = Files.lines(f)) {
          String ko = "/" + module + ".ko";
          if (lines.anyMatch(l -> l.contains(ko + ":") || l.contains(ko + ".") || l.endsWith(ko) || l.contains(ko + " "))) {
            return true;
          }
        } catch (IOException e) {
          return true;
        }
      }
    }
    // Built-in features without parameters have no /sys/module entry: without the module lists, cannot tell.
    return !readable;
  }
}
