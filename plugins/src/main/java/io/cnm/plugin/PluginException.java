package io.cnm.plugin;

/**
 * A plugin call that did not succeed. {@link #reason()} is the condition reason a user sees:
 * {@link #UNAVAILABLE} when the plugin was not found, did not answer in time or broke the
 * protocol, {@link #ERROR} when it answered with an error of its own, whose text is the message,
 * verbatim.
 */
public class PluginException extends RuntimeException {
  public static final String UNAVAILABLE = "PluginUnavailable";
  public static final String ERROR = "PluginError";

  private final String reason;

  public PluginException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public PluginException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }

  /** True when the plugin answered with its own error (the call reached it). */
  public boolean answered() {
    return ERROR.equals(reason);
  }
}
