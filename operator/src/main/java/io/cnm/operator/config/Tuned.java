package io.cnm.operator.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;

/**
 * A reconciler that needs controller settings its annotation cannot give, applied the same way
 * wherever it is registered (the Quarkus application, the lab, the tests).
 */
public interface Tuned<P extends HasMetadata> {
  /** Changes this reconciler's controller configuration before it is registered. */
  void tune(ControllerConfigurationOverrider<P> configuration);

  /** Registers the reconciler, tuned when it is {@link Tuned}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <P extends HasMetadata> void register(Operator operator, Reconciler<P> reconciler) {
    if (reconciler instanceof Tuned tuned) {
      operator.register(reconciler, o -> tuned.tune(o));
    } else {
      operator.register(reconciler);
    }
  }
}
