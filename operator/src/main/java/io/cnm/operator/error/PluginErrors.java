package io.cnm.operator.error;

import io.cnm.plugin.PluginException;

/**
 * A Docker plugin's failure as the operator's error: the plugin's own answer (its message
 * verbatim) a Conflict, looked at again in 15 s; a plugin that could not be reached a Transient,
 * retried at once (the plugin client's back-off decides when it is really called again).
 */
public final class PluginErrors {
  private PluginErrors() {}

  public static CnmException of(PluginException e) {
    return e.answered() ? new CnmException.Conflict(e.reason(), e.getMessage()) : new CnmException.Transient(e.reason(), e.getMessage());
  }
}
