package io.cnm.api.validation;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Collects violations; the schema-level checks (size, pattern, range) with the API server's meaning. */
final class Checks {
  private final List<Violation> violations = new ArrayList<>();

  List<Violation> result() {
    return List.copyOf(violations);
  }

  void rule(String path, boolean ok, String message) {
    if (!ok) {
      violations.add(new Violation(path, message));
    }
  }

  void required(String path, Object value) {
    rule(path, value != null, "is required");
  }

  void text(String path, String value, int maxLength, String regex) {
    if (value == null) {
      return;
    }
    rule(path, value.length() <= maxLength, "must be at most " + maxLength + " characters");
    if (regex != null) {
      rule(path, Pattern.compile(regex).matcher(value).find(), "must match " + regex);
    }
  }

  void range(String path, Integer value, long min, long max) {
    if (value != null) {
      rule(path, value >= min && value <= max, "must be between " + min + " and " + max);
    }
  }

  void size(String path, Collection<?> value, int min, int max) {
    if (value != null) {
      rule(path, value.size() >= min && value.size() <= max, "must have between " + min + " and " + max + " items");
    }
  }

  void size(String path, Map<?, ?> value, int max) {
    if (value != null) {
      rule(path, value.size() <= max, "must have at most " + max + " entries");
    }
  }

  static boolean isIp(String s) {
    return IpAddress.tryParse(s).isPresent();
  }

  static boolean isIp(String s, int family) {
    return IpAddress.tryParse(s).map(ip -> ip.family() == family).orElse(false);
  }

  static boolean isCidr(String s) {
    return Cidr.tryParse(s).isPresent();
  }

  /** Whether every element occurs once, as the CEL rule {@code self.all(a, self.exists_one(b, b == a))} asks. */
  static <T> boolean unique(List<T> values) {
    return values == null || values.stream().distinct().count() == values.size();
  }
}
