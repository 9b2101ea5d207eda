package io.cnm.daemon.encryption;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code ip -s xfrm state list}: packets carried per SPI (each state's "lifetime current" counters). */
final class XfrmCounters {
  private static final Pattern SPI = Pattern.compile("proto esp spi 0x([0-9a-f]+)");
  private static final Pattern PACKETS = Pattern.compile("(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");

  private XfrmCounters() {}

  static Map<Integer, Long> packets(String text) {
    Map<Integer, Long> out = new HashMap<>();
    Integer spi = null;
    boolean current = false;
    for (String line : text.split("\n")) {
      Matcher s = SPI.matcher(line);
      if (s.find()) {
        spi = (int) Long.parseLong(s.group(1), 16);
        current = false;
        continue;
      }
      if (line.contains("lifetime current:")) {
        current = true;
        continue;
      }
      Matcher p = PACKETS.matcher(line);
      if (current && spi != null && p.find()) {
        out.put(spi, Long.parseLong(p.group(2)));
        current = false;
      }
    }
    return out;
  }
}
