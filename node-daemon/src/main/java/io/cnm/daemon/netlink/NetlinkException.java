package io.cnm.daemon.netlink;

/** The kernel refused a netlink request; {@link #errno()} is the positive errno (EEXIST 17, ENODEV 19...). */
public final class NetlinkException extends RuntimeException {
  public static final int ENOENT = 2;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EOPNOTSUPP = 95;
  public static final int EADDRNOTAVAIL = 99;

  private final int errno;

  public NetlinkException(String what, int errno) {
    super(what + ": " + describe(errno) + " (errno " + errno + ")");
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  private static String describe(int errno) {
    return switch (errno) {
      case 1 -> "operation not permitted";
      case ENOENT -> "no such entry";
      case EEXIST -> "already exists";
      case ENODEV -> "no such device";
      case 22 -> "invalid argument";
      case EOPNOTSUPP -> "not supported by this kernel";
      case EADDRNOTAVAIL -> "address not available";
      default -> "kernel error";
    };
  }
}
