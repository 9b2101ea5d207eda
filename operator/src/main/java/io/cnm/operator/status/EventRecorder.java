package io.cnm.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Events on our objects (kubectl describe shows them). Best effort: a failed event never fails a
 * reconcile. Sent in the background, in order, as client-go's recorder does: an event is one more
 * API write, and one made inline came before the status write the user waits for. A burst that
 * outruns the API fills the queue; events past {@value #QUEUE} waiting are dropped and counted in
 * the log.
 */
@Singleton
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  static final int QUEUE = 1000;
  private final KubernetesClient client;
  /** One thread, ended after 30 s without events. */
  private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 30,
      TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
        Thread t = new Thread(r, "cnm-events");
        t.setDaemon(true);
        return t;
      }, (r, pool) -> dropped());
  private final AtomicLong dropped = new AtomicLong();

  public EventRecorder(KubernetesClient client) {
    this.client = client;
    sender.allowCoreThreadTimeOut(true);
  }

  private void dropped() {
    long n = dropped.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      LOG.warnf("%d event(s) dropped: more than %d were waiting to be sent", n, QUEUE);
    }
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Instant.now().toString();
    // Made now, from the object as it is now; only the write waits.
    Event event = new EventBuilder()
        .withNewMetadata().withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
        .withNamespace(about.getMetadata().getNamespace()).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
            .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
            .withUid(about.getMetadata().getUid()).build())
        .withType(type).withReason(reason).withMessage(message)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent("cnm-operator").endSource()
        .build();
    sender.execute(() -> send(event));
  }

  private void send(Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (RuntimeException e) {
      LOG.debugf("event %s on %s not recorded: %s", event.getReason(), event.getInvolvedObject().getName(), e.getMessage());
    }
  }
}
