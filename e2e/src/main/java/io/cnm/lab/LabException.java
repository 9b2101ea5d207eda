package io.cnm.lab;

/** A lab error with a one-line message for the user (exit code 2 for bad arguments, 1 otherwise). */
final class LabException extends RuntimeException {
  final int exitCode;

  LabException(String message) {
    this(message, 1);
  }

  LabException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}
