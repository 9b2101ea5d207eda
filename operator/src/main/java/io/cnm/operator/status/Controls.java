package io.cnm.operator.status;

import io.cnm.api.status.Conditions;

import io.cnm.operator.error.CnmException;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/** The end of every reconcile: patch status only if it changed, and look again when the error says so. */
public final class Controls {
  private Controls() {}

  /**
   * @param patchResource whether the resource's metadata (labels) changed too
   * @param error the error of this reconcile, or null
   */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> finish(R resource, S status, boolean patchResource,
      CnmException error) {
    boolean restatus = !Statuses.same(status, resource.getStatus());
    resource.setStatus(status);
    UpdateControl<R> control = patchResource && restatus ? UpdateControl.patchResourceAndStatus(resource)
        : patchResource ? UpdateControl.patchResource(resource)
        : restatus ? UpdateControl.patchStatus(resource) : UpdateControl.noUpdate();
    if (error != null) {
      error.retryAfter().ifPresent(control::rescheduleAfter);
    }
    return control;
  }

  /**
   * A cleanup that could not finish (a plugin that cannot take back an address or a pool now):
   * keep the finalizer and look again after the error's delay (5 s when it names none), however
   * many times; dropping the finalizer would leave the plugin holding what nobody knows of.
   */
  public static io.javaoperatorsdk.operator.api.reconciler.DeleteControl retryCleanup(CnmException e) {
    return io.javaoperatorsdk.operator.api.reconciler.DeleteControl.noFinalizerRemoval().rescheduleAfter(cleanupRetryDelay(e));
  }

  /** When a cleanup that could not finish looks again: the error's delay, 5 s when it names none. */
  public static java.time.Duration cleanupRetryDelay(CnmException e) {
    return e.retryAfter().orElse(java.time.Duration.ofSeconds(5));
  }

  /** Whether this error is news: a warning event is recorded once per reason, not on every retry. */
  public static boolean isNewReason(java.util.List<io.fabric8.kubernetes.api.model.Condition> before, CnmException e) {
    return !Conditions.find(before, Conditions.READY).map(c -> e.reason().equals(c.getReason())).orElse(false);
  }
}
