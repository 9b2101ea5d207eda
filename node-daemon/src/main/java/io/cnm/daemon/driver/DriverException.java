package io.cnm.daemon.driver;

/**
 * A driver call that failed for a reason the user should see as such on the endpoint's
 * Realized=False condition (PluginUnavailable, PluginError...), with a message they can act on.
 * Other exceptions are reported as JoinFailed.
 */
public class DriverException extends RuntimeException {
  private final String reason;

  public DriverException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }

  /** The reason of {@code e} when it is a DriverException, else {@code dflt}. */
  public static String reasonOf(RuntimeException e, String dflt) {
    return e instanceof DriverException ? ((DriverException) e).reason() : dflt;
  }
}
