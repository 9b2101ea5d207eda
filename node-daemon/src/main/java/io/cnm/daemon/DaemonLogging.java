package io.cnm.daemon;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The daemon's log: one line per record on standard output ({@code 12:00:01 WARN  [i.c.d.a.NodeAgent]
 * message}), through the JDK's logging, which JBoss Logging (the daemon's classes) and SLF4J
 * (Fabric8, Netty) both write to. {@code cnm.log.level} sets the daemon's own level.
 */
final class DaemonLogging {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static Handler handler;

  private DaemonLogging() {
  }

  /** @param level the daemon's own level ({@code cnm.log.level}), empty for INFO */
  static void install(java.util.Optional<String> level) {
    System.setProperty("org.jboss.logging.provider", "jdk");
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    handler = new StreamHandler(System.out, new OneLine()) {
      @Override
      public synchronized void publish(LogRecord record) {
        super.publish(record);
        flush(); // a line is in the log when it is written, also before a crash
      }
    };
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    level.ifPresent(l -> Logger.getLogger("io.cnm").setLevel(level(l.toUpperCase(java.util.Locale.ROOT))));
    // Fabric8 warns about every v1alpha1 resource the daemon watches, at every start.
    Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils").setLevel(Level.SEVERE);
  }

  /** A level by the names the daemon prints (DEBUG, WARN, …) or the JDK's (FINE, WARNING, …). */
  static Level level(String name) {
    return switch (name) {
      case "TRACE" -> Level.FINEST;
      case "DEBUG" -> Level.FINE;
      case "WARN" -> Level.WARNING;
      case "ERROR", "FATAL" -> Level.SEVERE;
      default -> Level.parse(name);
    };
  }

  static void flush() {
    if (handler != null) {
      handler.flush();
    }
  }

  /** Level names as JBoss Logging and Quarkus print them (WARN, not WARNING). */
  static String levelName(Level level) {
    int v = level.intValue();
    return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN" : v >= Level.INFO.intValue() ? "INFO"
        : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
  }

  /** {@code io.cnm.daemon.agent.NodeAgent} → {@code i.c.d.a.NodeAgent}. */
  static String category(String name) {
    if (name == null) {
      return "";
    }
    int last = name.lastIndexOf('.');
    if (last < 0) {
      return name;
    }
    StringBuilder b = new StringBuilder();
    for (String part : name.substring(0, last).split("\\.")) {
      if (!part.isEmpty()) {
        b.append(part.charAt(0)).append('.');
      }
    }
    return b.append(name, last + 1, name.length()).toString();
  }

  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder b = new StringBuilder(128);
      b.append(LocalTime.ofInstant(r.getInstant(), ZoneId.systemDefault()).format(TIME)).append(' ')
          .append(String.format("%-5s", levelName(r.getLevel()))).append(" [").append(category(r.getLoggerName())).append("] ")
          .append(formatMessage(r)).append('\n');
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        b.append(w);
      }
      return b.toString();
    }
  }
}
