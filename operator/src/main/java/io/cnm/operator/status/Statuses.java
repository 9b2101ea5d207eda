package io.cnm.operator.status;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Status comparison: patch only when something changed (the JOSDK samples' rule), or the API server churns. */
public final class Statuses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Statuses() {}

  public static boolean same(Object a, Object b) {
    return JSON.valueToTree(a).equals(JSON.valueToTree(b));
  }
}
