package io.cnm.operator.error;

import io.cnm.api.validation.Violation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why the operator cannot realize an object, by category (libnetwork's typed errors). The
 * category decides when to look again; the reason becomes the Ready condition's reason and the
 * message its message, so it must tell the user what to change.
 */
public abstract sealed class CnmException extends RuntimeException
    permits CnmException.InvalidConfig, CnmException.Conflict, CnmException.NotFound, CnmException.Transient {
  private final String reason;
  private final Duration retryAfter;

  CnmException(String reason, String message, Duration retryAfter) {
    super(message);
    this.reason = reason;
    this.retryAfter = retryAfter;
  }

  public String reason() {
    return reason;
  }

  /** When to look again without an event; empty: only when the object changes. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Throws InvalidSpec listing every violation, if there is any. */
  public static void requireValid(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw new InvalidConfig(Reasons.INVALID_SPEC, violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
  }

  /** The spec is wrong; nothing changes until the user edits it. */
  public static final class InvalidConfig extends CnmException {
    public InvalidConfig(String reason, String message) {
      super(reason, message, null);
    }
  }

  /** Another object holds what this one asks for (a subnet, an address, a VNI); may clear when it goes. */
  public static final class Conflict extends CnmException {
    private final String holder;

    public Conflict(String reason, String message) {
      this(reason, message, null);
    }

    /** @param holder the key of the network or owner that holds it, when it is one (not a node's own subnet) */
    public Conflict(String reason, String message, String holder) {
      super(reason, message, Duration.ofSeconds(15));
      this.holder = holder;
    }

    /** Who holds what was asked for (a network key, an endpoint or service key), when an object does. */
    public java.util.Optional<String> holder() {
      return java.util.Optional.ofNullable(holder);
    }
  }

  /** Something this object refers to does not exist yet. */
  public static final class NotFound extends CnmException {
    public NotFound(String reason, String message) {
      super(reason, message, Duration.ofSeconds(5));
    }
  }

  /** Waiting for something that will happen by itself (a pod being scheduled, a network allocated). */
  public static final class Transient extends CnmException {
    public Transient(String reason, String message) {
      super(reason, message, Duration.ofSeconds(2));
    }
  }
}
