package io.cnm.operator.error;

/** Condition reasons, one word each in CamelCase as Kubernetes conventions ask. */
public final class Reasons {
  private Reasons() {}

  public static final String ALLOCATED = "Allocated";
  public static final String BOUND = "Bound";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String SUBNET_CONFLICT = "SubnetConflict";
  public static final String POOL_EXHAUSTED = "PoolExhausted";
  public static final String VNI_CONFLICT = "VniConflict";
  public static final String IMMUTABLE_FIELD = "ImmutableField";
  public static final String IPAM_DRIVER_UNAVAILABLE = "IpamDriverUnavailable";
  public static final String ADDRESS_IN_USE = "AddressInUse";
  public static final String ADDRESS_OUT_OF_RANGE = "AddressOutOfRange";
  public static final String NETWORK_NOT_FOUND = "NetworkNotFound";
  public static final String NETWORK_NOT_READY = "NetworkNotReady";
  public static final String NO_ADDRESSES = "NoAddresses";
  public static final String POD_NOT_FOUND = "PodNotFound";
  public static final String POD_NOT_SCHEDULED = "PodNotScheduled";
  public static final String HAS_ENDPOINTS = "HasEndpoints";
  public static final String NO_BACKENDS = "NoBackends";
  public static final String PORT_CONFLICT = "PortConflict";
}
