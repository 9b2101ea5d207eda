package io.cnm.operator.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkiverse.operatorsdk.runtime.QuarkusControllerConfiguration;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The Operator with every reconciler registered, {@link Tuned} ones tuned. It replaces the
 * Quarkus extension's default producer: the extension (7.7.3) keeps each controller's settings in
 * a class of its own, which the rest of the extension expects, and which has no field for some of
 * the SDK's settings, among them {@code triggerReconcilerOnAllEvents} that the endpoint reconciler
 * needs. The extension still starts and stops the Operator.
 */
@Singleton
public class OperatorProducer {
  @Produces
  @Singleton
  Operator operator(QuarkusConfigurationService configuration, Instance<Reconciler<? extends HasMetadata>> reconcilers) {
    Operator operator = new Operator(configuration);
    for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
      register(operator, configuration, reconciler);
    }
    if (!configuration.reconciliationTerminationTimeout().isZero()) {
      operator.installShutdownHook(configuration.reconciliationTerminationTimeout());
    }
    return operator;
  }

  private static <P extends HasMetadata> void register(Operator operator, QuarkusConfigurationService configuration,
      Reconciler<P> reconciler) {
    QuarkusControllerConfiguration<P> base = configuration.getConfigurationFor(reconciler);
    if (!(reconciler instanceof Tuned<?>) || base == null) {
      operator.register(reconciler);
      return;
    }
    @SuppressWarnings("unchecked")
    Tuned<P> tuned = (Tuned<P>) reconciler;
    ControllerConfigurationOverrider<P> overrider = ControllerConfigurationOverrider.override(base);
    tuned.tune(overrider);
    ControllerConfiguration<P> c = overrider.build();
    boolean allEvents = c.triggerReconcilerOnAllEvents();
    // Rebuilt as the extension rebuilds a configurable reconciler's settings (10 hours when none is set).
    QuarkusControllerConfiguration<P> result = new QuarkusControllerConfiguration<>(c.getInformerConfig(), c.getName(),
        c.isGenerationAware(), base.getAssociatedReconcilerClassName(), c.getRetry(), c.getRateLimiter(),
        c.maxReconciliationInterval().orElse(Duration.ofHours(10)), c.getFinalizerName(), c.fieldManager(), base.getWorkflow(),
        base.getResourceTypeName(), base.getResourceClass()) {
      @Override
      public boolean triggerReconcilerOnAllEvents() {
        return allEvents;
      }
    };
    result.setParent(configuration);
    operator.register(reconciler, result);
  }
}
