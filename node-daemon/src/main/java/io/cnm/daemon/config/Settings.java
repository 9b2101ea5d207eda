package io.cnm.daemon.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The node-daemon's settings, looked up as MicroProfile Config does, so the names the chart and
 * users already set keep working: a system property {@code cnm.gossip.port}, else the environment
 * variable {@code CNM_GOSSIP_PORT} (upper case, every character other than a letter or a digit an
 * underscore), else {@code application.properties} on the class path, else the caller's default.
 * A value that does not parse is an error naming the setting and where it came from: a daemon
 * must not start on a setting it misread.
 */
public final class Settings {
  private final Map<String, String> system;
  private final Map<String, String> env;
  private final Properties file;

  Settings(Map<String, String> system, Map<String, String> env, Properties file) {
    this.system = system;
    this.env = env;
    this.file = file;
  }

  /** The settings of this process: its system properties, its environment, its application.properties. */
  public static Settings ofProcess() {
    Properties file = new Properties();
    try (InputStream in = Settings.class.getResourceAsStream("/application.properties")) {
      if (in != null) {
        file.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("application.properties on the class path cannot be read", e);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, String> props = (Map) System.getProperties();
    return new Settings(props, System.getenv(), file);
  }

  /** Settings from the given sources (tests). */
  public static Settings of(Map<String, String> system, Map<String, String> env, Properties file) {
    return new Settings(Map.copyOf(system), Map.copyOf(env), file);
  }

  /** The environment variable MicroProfile Config reads for {@code key}. */
  static String envName(String key) {
    StringBuilder b = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
    }
    return b.toString();
  }

  /** The value of {@code key}, empty when no source sets it (a blank value counts as unset, as in MicroProfile Config). */
  public Optional<String> get(String key) {
    String v = system.get(key);
    if (v == null) {
      v = env.get(envName(key));
    }
    if (v == null) {
      v = file.getProperty(key);
    }
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public int intValue(String key, int defaultValue) {
    return intValue(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** An int from {@code min} to {@code max}; another number is an error naming the setting and the range. */
  public int intValue(String key, int defaultValue, int min, int max) {
    return (int) parse(key, defaultValue, min, max);
  }

  public long longValue(String key, long defaultValue) {
    return parse(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public boolean bool(String key, boolean defaultValue) {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    return switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw invalid(key, v.get(), "true or false");
    };
  }

  /** A comma-separated list; empty items are dropped. */
  public Optional<List<String>> list(String key) {
    return get(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
        .filter(l -> !l.isEmpty());
  }

  public List<String> list(String key, List<String> defaultValue) {
    return list(key).orElse(defaultValue);
  }

  private long parse(String key, long defaultValue, long min, long max) {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.get());
      if (n < min || n > max) {
        throw invalid(key, v.get(), "a number from " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(key, v.get(), "a whole number");
    }
  }

  /** A setting whose value does not parse; its message names the setting, where it came from, and what was expected. */
  public static final class InvalidSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSetting(String message) {
      super(message);
    }
  }

  private InvalidSetting invalid(String key, String value, String expected) {
    String from = system.containsKey(key) ? "system property " + key : env.containsKey(envName(key)) ? "environment variable " + envName(key)
        : "application.properties " + key;
    return new InvalidSetting(from + " is '" + value + "', expected " + expected);
  }
}
