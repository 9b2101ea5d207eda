package io.cnm.daemon.nft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An nft listing made comparable: whitespace collapsed, each set's elements sorted and the
 * table's sets, maps and chains sorted (the kernel lists them in the order they were made), so that
 * a table written whole and one reached by differences compare equal when they hold the same.
 */
public final class NftListing {
  private static final Pattern ELEMENTS = Pattern.compile("elements = \\{([^}]*)\\}");

  private NftListing() {}

  public static String normalized(String listing) {
    String flat = listing.replaceAll("\\s+", " ").trim();
    Matcher m = ELEMENTS.matcher(flat);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> items = new ArrayList<>(Arrays.stream(m.group(1).split(",")).map(String::trim).toList());
      items.sort(null);
      m.appendReplacement(out, Matcher.quoteReplacement("elements = { " + String.join(", ", items) + " }"));
    }
    m.appendTail(out);
    return sortedBlocks(out.toString());
  }

  /** The blocks one level inside the table, sorted. */
  private static String sortedBlocks(String table) {
    int open = table.indexOf('{');
    if (open < 0) {
      return table;
    }
    List<String> blocks = new ArrayList<>();
    int depth = 0;
    int start = open + 1;
    for (int i = open + 1; i < table.length(); i++) {
      char c = table.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (depth == 0) {
          break;
        }
        if (--depth == 0) {
          blocks.add(table.substring(start, i + 1).trim());
          start = i + 1;
        }
      }
    }
    blocks.sort(null);
    return table.substring(0, open + 1) + " " + String.join(" ", blocks) + " }";
  }
}
