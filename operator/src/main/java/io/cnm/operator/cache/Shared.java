package io.cnm.operator.cache;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of each string that many cached objects repeat. Every object an informer reads
 * comes with its own copies of its namespace, label keys and values, owner kinds, node and network
 * names; with 10,000 cached objects those copies are a large part of the operator's heap. The
 * JVM's string table holds them weakly, so a value no cached object uses any more is collected.
 */
public final class Shared {
  private Shared() {}

  /** The shared instance of {@code s}, or null. */
  public static String of(String s) {
    return s == null ? null : s.intern();
  }

  /** The map with its keys and values shared, or null; sized to its entries. */
  public static Map<String, String> of(Map<String, String> m) {
    if (m == null) {
      return null;
    }
    Map<String, String> out = new HashMap<>(Math.max(2, (int) Math.ceil(m.size() / 0.75)));
    m.forEach((k, v) -> out.put(of(k), of(v)));
    return out;
  }

  /** Shares, in place, what metadata repeats across objects: namespace, labels, owners, finalizers. */
  public static void metadata(ObjectMeta m) {
    if (m == null) {
      return;
    }
    m.setNamespace(of(m.getNamespace()));
    m.setLabels(of(m.getLabels()));
    if (m.getOwnerReferences() != null) {
      m.getOwnerReferences().forEach(Shared::owner);
    }
    if (m.getFinalizers() != null) {
      m.getFinalizers().replaceAll(Shared::of);
    }
  }

  private static void owner(OwnerReference o) {
    o.setApiVersion(of(o.getApiVersion()));
    o.setKind(of(o.getKind()));
    o.setName(of(o.getName()));
  }

  /** Shares, in place, a condition's type, status and reason (its message is its own). */
  public static void conditions(List<Condition> conditions) {
    if (conditions == null) {
      return;
    }
    for (Condition c : conditions) {
      c.setType(of(c.getType()));
      c.setStatus(of(c.getStatus()));
      c.setReason(of(c.getReason()));
      c.setLastTransitionTime(of(c.getLastTransitionTime()));
    }
  }
}
