package io.cnm.daemon.nft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Nftables} through the {@code nft} tool, fed the transaction on standard input
 * ({@code nft -f -}), which nft applies as one netlink batch. With a namespace path it runs under
 * {@code nsenter --net=PATH}. One process per whole-node change, never per rule.
 */
public final class NftCommand implements Nftables {
  private final String netnsPath;

  /** @param netnsPath the namespace to act in, or null for the daemon's own */
  public NftCommand(String netnsPath) {
    this.netnsPath = netnsPath;
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    if (netnsPath != null) {
      cmd.add("nsenter");
      cmd.add("--net=" + netnsPath);
    }
    cmd.add("nft");
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Override
  public void apply(String transaction) {
    run(command("-f", "-"), transaction, true);
  }

  @Override
  public String listTable(String table) {
    return run(command("list", "table", "inet", table), null, false);
  }

  private static String run(List<String> cmd, String input, boolean failOnError) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (input != null) {
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("nft did not finish in 30 s");
      }
      if (p.exitValue() != 0) {
        if (failOnError) {
          throw new IllegalStateException("nft refused the ruleset: " + out.trim());
        }
        return "";
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run nft (is the nftables package installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
