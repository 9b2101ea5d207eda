package io.cnm.daemon.agent;

import io.cnm.api.net.IpAddress;
import io.cnm.daemon.http.DaemonHttp;
import io.cnm.daemon.http.DaemonHttp.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /q/cnm/endpoints/NAMESPACE/NAME}: one endpoint's sandbox as this node-daemon sees it,
 * for {@code kubectl cnm debug} (the seed's troubleshooting: what netshoot shows a Docker user).
 * Its interfaces, routes and nftables rules are read inside the sandbox with the tools the image
 * ships (nsenter, ip, nft); its resolver is the one the daemon serves there, with the names it
 * answers. Read-only; off with {@code cnm.debug.enabled=false} (chart: nodeDaemon.debugEndpoint).
 */
public class SandboxDebugRoute implements DaemonHttp.EndpointReport {
  private final AgentLifecycle lifecycle;

  public SandboxDebugRoute(AgentLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public Response get(String ns, String name) {
    var agent = lifecycle.agent();
    if (agent.isEmpty()) {
      return Response.text(503, "the node-daemon's agent does not run on this node\n");
    }
    Optional<NodeAgent.JoinedEndpoint> joined;
    try {
      joined = agent.get().joined(ns, name);
    } catch (IllegalStateException e) {
      // A pass longer than the wait (a first pass over many endpoints): said, not a 500.
      return Response.text(503, "the node-daemon is busy in a pass (" + e.getMessage() + "); try again\n");
    }
    if (joined.isEmpty()) {
      return Response.text(404, "endpoint " + ns + "/" + name + " is not joined on this node\n");
    }
    return Response.text(200, render(joined.get()));
  }

  /** The report: what the daemon joined, then each view from inside the sandbox. */
  static String render(NodeAgent.JoinedEndpoint e) {
    StringBuilder b = new StringBuilder();
    b.append("endpoint ").append(e.key()).append(" on network ").append(e.network()).append(" (").append(e.driver()).append(")\n");
    b.append("sandbox ").append(e.netnsPath()).append(", interface ").append(e.ifname() == null || e.ifname().isEmpty() ? "-" : e.ifname())
        .append(", IPv4 ").append(e.ipv4() == null ? "-" : e.ipv4()).append(", MAC ").append(e.mac() == null ? "-" : e.mac()).append('\n');
    section(b, "interfaces (ip -d address)", inSandbox(e.netnsPath(), "ip", "-d", "address"));
    section(b, "routes (ip route; ip -6 route)", inSandbox(e.netnsPath(), "ip", "route") + inSandbox(e.netnsPath(), "ip", "-6", "route"));
    section(b, "nftables in the sandbox (nft list ruleset: service VIP balancing)", inSandbox(e.netnsPath(), "nft", "list", "ruleset"));
    StringBuilder dns = new StringBuilder("nameserver 127.0.0.11 (the embedded DNS, served by this daemon in the sandbox)\n");
    for (Map.Entry<String, List<IpAddress>> n : e.dnsNames().entrySet()) {
      dns.append(String.format("%-40s %s%n", n.getKey(), n.getValue().stream().map(IpAddress::toString).toList()));
    }
    section(b, "DNS resolver and the names it answers here", dns.toString());
    return b.toString();
  }

  private static void section(StringBuilder b, String title, String body) {
    b.append("\n== ").append(title).append('\n').append(body.isEmpty() ? "(none)\n" : body);
  }

  /** A read-only tool run inside the sandbox's network namespace; its error, not an exception, when it fails. */
  static String inSandbox(String netnsPath, String... cmd) {
    List<String> full = new java.util.ArrayList<>(List.of("nsenter", "--net=" + netnsPath, "--"));
    full.addAll(List.of(cmd));
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", cmd) + ": timed out\n";
      }
      return out;
    } catch (IOException e) {
      return String.join(" ", cmd) + ": " + e.getMessage() + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted\n";
    }
  }
}
