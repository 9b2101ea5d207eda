package io.cnm.api.validation;

/** One broken rule: where (a field path such as {@code spec.ipam.config[0].gateway}) and why. */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
