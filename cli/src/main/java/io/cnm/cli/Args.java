package io.cnm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command line: words, and the options kubectl users know (-n, -A, --context) plus the plugin's own. */
record Args(List<String> words, String namespace, boolean allNamespaces, String context, String daemon, String endpoint, boolean shell,
    String image) {
  static final String DEFAULT_DEBUG_IMAGE = "nicolaka/netshoot";

  static Args parse(List<String> argv) {
    List<String> words = new ArrayList<>();
    String namespace = null;
    boolean all = false;
    String context = null;
    String daemon = null;
    String endpoint = null;
    boolean shell = false;
    String image = DEFAULT_DEBUG_IMAGE;
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      switch (a) {
        case "-n", "--namespace" -> namespace = value(argv, ++i, a);
        case "-A", "--all-namespaces" -> all = true;
        case "--context" -> context = value(argv, ++i, a);
        case "--daemon" -> daemon = value(argv, ++i, a);
        case "--endpoint" -> endpoint = value(argv, ++i, a);
        case "--shell" -> shell = true;
        case "--image" -> image = value(argv, ++i, a);
        default -> {
          if (a.startsWith("--namespace=")) {
            namespace = a.substring("--namespace=".length());
          } else if (a.startsWith("-") && a.length() > 1) {
            throw new UsageException("unknown option " + a);
          } else {
            words.add(a);
          }
        }
      }
    }
    return new Args(List.copyOf(words), namespace, all, context, daemon, endpoint, shell, image);
  }

  private static String value(List<String> argv, int i, String option) {
    if (i >= argv.size()) {
      throw new UsageException(option + " needs a value");
    }
    return argv.get(i);
  }

  Optional<String> word(int i) {
    return i < words.size() ? Optional.of(words.get(i)) : Optional.empty();
  }

  /** A wrong command line: the usage is printed, exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
