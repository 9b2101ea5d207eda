package io.cnm.daemon.driver;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.List;

/**
 * An endpoint to realize on this node: its sandbox, the addresses the operator allocated, and the
 * ports to publish.
 *
 * @param netnsPath the sandbox's network namespace (/run/netns/NAME or /proc/PID/ns/net)
 * @param interfaceName the wanted name inside the sandbox, or null for the next free ethN
 */
public record EndpointInfo(String key, String networkKey, String netnsPath, String interfaceName, Cidr ipv4, IpAddress gateway,
    String mac, List<Port> ports) {
  public EndpointInfo {
    ports = List.copyOf(ports);
  }

  /** A published port: node address (or null for all) and port, to the endpoint's port. */
  public record Port(String protocol, IpAddress hostIp, int hostPort, int containerPort) {}
}
