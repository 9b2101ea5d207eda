package io.cnm.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** The operator's settings (application.properties, or CNM_* environment variables set by the Helm chart). */
@ConfigMapping(prefix = "cnm")
public interface CnmConfig {
  Ipam ipam();

  LeaderElection leaderElection();

  Gossip gossip();

  PluginSettings plugins();

  Pki pki();

  AdmissionWebhookSettings admissionWebhook();

  /**
   * The CnmEndpoint admission webhook ({@link io.cnm.operator.admission.AdmissionWebhook}): endpoints created with their
   * labels and finalizer on, one write fewer each. Off unless the chart (which makes its Service) turns it on.
   */
  interface AdmissionWebhookSettings {
    @WithDefault("false")
    boolean enabled();

    /** The HTTPS port the webhook's Service sends to. */
    @WithDefault("8443")
    int port();

    /** The Service the API server dials, in the release namespace (its certificate is made for its names). */
    @WithDefault("cnm-operator-webhook")
    String service();

    /** The Secret that keeps the webhook's CA and certificate, in the release namespace. */
    @WithDefault("cnm-operator-webhook-tls")
    String secret();

    /** The MutatingWebhookConfiguration the operator writes (cluster-wide: the release's name keeps it apart). */
    @WithDefault("cnm-operator")
    String configuration();

    /** How long the serving certificate is valid; renewed from the same CA with a third left. */
    @WithDefault("8760h")
    java.time.Duration certificateValidity();
  }

  /** The cluster PKI: the CA, and a certificate per node-daemon for the gossip's mutual TLS. */
  interface Pki {
    /** Run the CA and issue the node-daemons' certificates (the daemons then require them for the gossip's TCP sync). */
    @WithDefault("true")
    boolean enabled();

    /** How long a node-daemon's certificate is valid; it is renewed with a third of it left. */
    @WithDefault("24h")
    java.time.Duration certificateValidity();

    /** How long the CA made at the first start is valid. */
    @WithDefault("87600h")
    java.time.Duration caValidity();
  }

  /** Where remote IPAM driver plugins are found (Docker's places; the chart mounts them from a sidecar or the host). */
  interface PluginSettings {
    @WithDefault("/run/docker/plugins")
    String socketsDir();

    @WithDefault("/etc/docker/plugins,/usr/lib/docker/plugins")
    java.util.List<String> specDirs();

    /** The longest one plugin call may take. */
    @WithDefault("10000")
    long timeoutMs();

    /** The longest wait before an unreachable plugin is tried again. */
    @WithDefault("30000")
    long backoffMaxMs();
  }

  interface Gossip {
    /** Create and rotate the gossip keyring Secret (cnm-gossip-keys). */
    @WithDefault("true")
    boolean manageKeys();

    /** Where the Secret lives: the operator's namespace when not set (the chart sets the release namespace). */
    Optional<String> namespace();

    /** How often the primary key is replaced; Docker's swarm rotates every 12 hours. */
    @WithDefault("12h")
    java.time.Duration keyRotation();
  }


  interface Ipam {
    /** Default pools of local-scope networks, {@code base@size,...}: Docker's defaults. */
    @WithDefault("172.17.0.0/16@16,172.18.0.0/15@16,172.20.0.0/14@16,172.24.0.0/13@16,192.168.0.0/16@20")
    String localPools();

    /** Default pools of cluster-scope networks: 10.0.0.0/8 in /24s, as Docker's swarm does. */
    @WithDefault("10.0.0.0/8@24")
    String clusterPools();
  }

  interface LeaderElection {
    /** On in a cluster (the chart sets it): one replica reconciles, the others wait on the Lease. */
    @WithDefault("false")
    boolean enabled();

    @WithDefault("cnm-operator-leader")
    String leaseName();

    Optional<String> leaseNamespace();
  }
}
