package io.cnm.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The release namespace, where the operator keeps the gossip keyring and reads the node-daemons'
 * leases: {@code cnm.gossip.namespace} (the chart sets it), else the operator's own namespace.
 */
public final class ReleaseNamespace {
  private ReleaseNamespace() {}

  public static String of(CnmConfig config, KubernetesClient client) {
    return config.gossip().namespace().orElseGet(() -> client.getNamespace() == null ? "default" : client.getNamespace());
  }
}
