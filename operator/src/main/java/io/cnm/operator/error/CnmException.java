package io.cnm.operator.error;

import java.time.Duration;
import java.util.Optional;

/**
 * Why the operator cannot realize an object, by category (libnetwork's typed errors). The
 * category decides what happens next; the reason becomes the Ready condition's reason and the
 * message its message, so it must tell the user what to change.
 */
public abstract sealed class CnmException extends RuntimeException
    permits CnmException.InvalidConfig, CnmException.Conflict, CnmException.NotFound, CnmException.Transient {
  private final String reason;

  CnmException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }

  /** When to look again without an event; empty: only when the object changes. */
  public abstract Optional<Duration> retryAfter();

  /** The spec is wrong; nothing changes until the user edits it. */
  public static final class InvalidConfig extends CnmException {
    public InvalidConfig(String reason, String message) {
      super(reason, message);
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.empty();
    }
  }

  /** Another object holds what this one asks for (a subnet, an address, a VNI); may clear when it goes. */
  public static final class Conflict extends CnmException {
    public Conflict(String reason, String message) {
      super(reason, message);
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.of(Duration.ofSeconds(15));
    }
  }

  /** Something this object refers to does not exist yet. */
  public static final class NotFound extends CnmException {
    public NotFound(String reason, String message) {
      super(reason, message);
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.of(Duration.ofSeconds(5));
    }
  }

  /** Waiting for something that will happen by itself (a pod being scheduled, a network allocated). */
  public static final class Transient extends CnmException {
    public Transient(String reason, String message) {
      super(reason, message);
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.of(Duration.ofSeconds(2));
    }
  }
}
