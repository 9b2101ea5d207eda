package io.cnm.api.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.UnaryOperator;

/**
 * Writes one writer's part of a status that two writers share (the operator's Ready and
 * addresses, the node-daemon's Realized and interface on a CnmEndpoint). Each write changes only
 * its writer's part of the object (first the caller's copy, then as read fresh), and replaces the
 * status with that object's resourceVersion: a write in between makes the API server refuse with
 * a conflict, and the change is made again on the newer object. Neither writer can so erase the
 * other's part, whatever its cache held. (Server-side apply would do the same with field
 * managers; this path is the one that can be tested here, so it is the one that ships.)
 */
public final class StatusUpdates {
  private static final int ATTEMPTS = 30;

  private StatusUpdates() {}

  /** After a conflict: a short random wait, longer with every attempt, so two writers stop meeting in lockstep. */
  private static void pause(int attempt) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 5L * (attempt + 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @param change applied to the fresh object; returns it (changed) or null when nothing is to be written
   * @return the object as written, or null when it is gone or nothing was to be written
   */
  public static <T extends HasMetadata> T update(KubernetesClient client, T like, UnaryOperator<T> change) {
    return update(client, like, change, () -> {}, throughClient(client));
  }

  /** The status write made by the client: {@code updateStatus()}. */
  public static <T extends HasMetadata> UnaryOperator<T> throughClient(KubernetesClient client) {
    return changed -> client.resource(changed).updateStatus();
  }

  /**
   * As above, each write made by {@code put}, telling {@code conflicted} each time the API server
   * refused a write as made on a stale object (each costs a read and a write more). {@code put}
   * replaces the status subresource with the object given and returns the object as written, or
   * throws {@link KubernetesClientException} with the API server's code (409 on a stale object).
   */
  public static <T extends HasMetadata> T update(KubernetesClient client, T like, UnaryOperator<T> change, Runnable conflicted,
      UnaryOperator<T> put) {
    KubernetesClientException last = null;
    // First from the caller's copy (a cache's, usually current): one request instead of two. A stale copy
    // carries a stale resourceVersion, which the API server refuses, and the next attempts read fresh.
    boolean fromCopy = like.getMetadata().getResourceVersion() != null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      T fresh = fromCopy ? client.getKubernetesSerialization().clone(like) : client.resource(like).get();
      if (fresh == null) {
        return null;
      }
      T changed = change.apply(fresh);
      if (changed == null) {
        if (fromCopy) {
          fromCopy = false; // nothing to write according to the copy: make sure on the object as it is now
          continue;
        }
        return null;
      }
      try {
        return put.apply(changed);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
        conflicted.run();
        if (!fromCopy) {
          pause(attempt);
        }
        fromCopy = false;
      }
    }
    throw new IllegalStateException("the status of " + like.getKind() + " " + like.getMetadata().getName() + " kept changing under "
        + ATTEMPTS + " attempts to write it", last);
  }
}
