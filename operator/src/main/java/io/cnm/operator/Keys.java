package io.cnm.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The IPAM's owner keys: {@code namespace/name}, with a prefix for services so one namespace can hold both. */
public final class Keys {
  private Keys() {}

  public static String of(HasMetadata o) {
    return of(o.getMetadata().getNamespace(), o.getMetadata().getName());
  }

  public static String of(String namespace, String name) {
    return namespace + "/" + name;
  }

  /**
   * Whether {@code a} is older than {@code b}: created earlier, or in the same second (the API's
   * resolution) first by namespace/name. Conflicts go to the older object, so applying the same
   * objects in any order (GitOps applies a directory at once) always picks the same winner.
   */
  public static boolean older(HasMetadata a, HasMetadata b) {
    String ta = java.util.Objects.requireNonNullElse(a.getMetadata().getCreationTimestamp(), "");
    String tb = java.util.Objects.requireNonNullElse(b.getMetadata().getCreationTimestamp(), "");
    int byTime = java.time.Instant.parse(ta.isEmpty() ? "9999-12-31T23:59:59Z" : ta)
        .compareTo(java.time.Instant.parse(tb.isEmpty() ? "9999-12-31T23:59:59Z" : tb));
    return byTime != 0 ? byTime < 0 : of(a).compareTo(of(b)) < 0;
  }

  /** The namespace and name of a key. */
  public static String[] split(String key) {
    int slash = key.indexOf('/');
    return new String[] {key.substring(0, slash), key.substring(slash + 1)};
  }

  /** The IPAM owner of a service's VIPs. */
  public static String service(HasMetadata svc) {
    return "svc:" + of(svc);
  }
}
