package io.cnm.api.v1alpha1;

/** Regular expressions shared by the schema and {@link io.cnm.api.validation.SpecValidator}. */
public final class Patterns {
  private Patterns() {}

  /** A Linux interface name: at most 15 characters (IFNAMSIZ - 1), no slash, colon or space. */
  public static final String INTERFACE_NAME = "^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,14}$";
  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
  /** A DNS name for aliases. */
  public static final String DNS_NAME = "^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$";
  /** A MAC address written as six colon-separated hex octets. */
  public static final String MAC_ADDRESS = "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$";
  /** A driver or IPAM driver name: native or a remote plugin's. */
  public static final String DRIVER_NAME = "^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$";
  /** An absolute path. */
  public static final String ABSOLUTE_PATH = "^/.*$";
  /** A port name (IANA service name). */
  public static final String PORT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
}
