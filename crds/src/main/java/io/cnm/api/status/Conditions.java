package io.cnm.api.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Kubernetes conditions, shared by the operator and the node-daemon: set one by type, keeping lastTransitionTime unless its status changes. */
public final class Conditions {
  public static final String READY = "Ready";
  /** Whether a network can be deleted now (False while endpoints or services still use it). */
  public static final String REMOVABLE = "Removable";
  /** Whether the node-daemon built the endpoint in the kernel (owned by the node-daemon). */
  public static final String REALIZED = "Realized";

  private Conditions() {}

  public static List<Condition> set(List<Condition> existing, String type, boolean status, String reason, String message,
      Long generation) {
    List<Condition> out = new ArrayList<>();
    String value = status ? "True" : "False";
    Condition previous = find(existing, type).orElse(null);
    String since = previous != null && value.equals(previous.getStatus())
        ? previous.getLastTransitionTime()
        : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    if (existing != null) {
      existing.stream().filter(c -> !type.equals(c.getType())).forEach(out::add);
    }
    out.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build());
    out.sort(java.util.Comparator.comparing(Condition::getType));
    return out;
  }

  /**
   * {@code theirs} with the conditions of the given types taken from {@code mine} instead (and
   * those types dropped where {@code mine} has none): how one writer changes only the conditions
   * it owns on a status another writer shares.
   */
  public static List<Condition> merge(List<Condition> theirs, List<Condition> mine, java.util.Set<String> myTypes) {
    List<Condition> out = new ArrayList<>();
    if (theirs != null) {
      theirs.stream().filter(c -> !myTypes.contains(c.getType())).forEach(out::add);
    }
    if (mine != null) {
      mine.stream().filter(c -> myTypes.contains(c.getType())).forEach(out::add);
    }
    out.sort(java.util.Comparator.comparing(Condition::getType));
    return out;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static List<Condition> remove(List<Condition> conditions, String type) {
    List<Condition> out = new ArrayList<>(conditions == null ? List.of() : conditions);
    out.removeIf(c -> type.equals(c.getType()));
    return out;
  }
}
