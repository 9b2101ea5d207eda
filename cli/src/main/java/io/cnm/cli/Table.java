package io.cnm.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Columns as Docker's CLI prints them: upper-case headers, left-aligned, three spaces apart. */
final class Table {
  private final List<String> headers;
  private final boolean withNamespace;
  private final List<List<String>> rows = new ArrayList<>();

  /** @param withNamespace a first NAMESPACE column (kubectl's -A) */
  Table(boolean withNamespace, String... headers) {
    List<String> h = new ArrayList<>(List.of(headers));
    if (withNamespace) {
      h.add(0, "NAMESPACE");
    }
    this.headers = List.copyOf(h);
    this.withNamespace = withNamespace;
  }

  /** One object's row, after its namespace when the table shows namespaces. */
  Table row(HasMetadata o, String... cells) {
    List<String> r = new ArrayList<>(List.of(cells));
    if (withNamespace) {
      r.add(0, o.getMetadata().getNamespace());
    }
    rows.add(r);
    return this;
  }

  void print(PrintStream out) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    line(out, headers, width);
    rows.forEach(r -> line(out, r, width));
  }

  private static void line(PrintStream out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      b.append(i == cells.size() - 1 ? cells.get(i) : String.format("%-" + (width[i] + 3) + "s", cells.get(i)));
    }
    out.println(b.toString().stripTrailing());
  }

  /** "-" for what is not known (yet). */
  static String v(Object o) {
    return o == null || o.toString().isEmpty() ? "-" : o.toString();
  }
}
