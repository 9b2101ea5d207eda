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

  /** The IPAM owner of a service's VIPs. */
  public static String service(HasMetadata svc) {
    return "svc:" + of(svc);
  }
}
