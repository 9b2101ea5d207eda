package io.cnm.api.v1alpha1;

/** Names of Docker's native network drivers; any other name is a remote driver plugin. */
public final class Drivers {
  private Drivers() {}

  public static final String BRIDGE = "bridge";
  public static final String OVERLAY = "overlay";
  public static final String MACVLAN = "macvlan";
  public static final String HOST = "host";
  public static final String NULL = "null";

  /** Whether the driver is one of Docker's native ones (else a remote driver plugin of that name). */
  public static boolean builtIn(String driver) {
    return java.util.Set.of(BRIDGE, OVERLAY, MACVLAN, HOST, NULL).contains(driver);
  }

  /** Whether endpoints on networks of this driver get addresses from IPAM (host and null do not). */
  public static boolean usesIpam(String driver) {
    return !HOST.equals(driver) && !NULL.equals(driver);
  }
}
