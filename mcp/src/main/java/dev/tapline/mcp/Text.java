package dev.tapline.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How results print times, durations, sizes and long text: short, UTC, the same in every tool. */
final class Text {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Text() {}

  /** Epoch microseconds as an ISO instant in UTC with milliseconds. */
  static String time(long epochMicros) {
    return TIME.format(Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
        Math.floorMod(epochMicros, 1_000_000L) * 1000L));
  }

  /** {@code 0.4 ms}, {@code 12.3 ms}, {@code 1.25 s}. */
  static String duration(long micros) {
    if (micros < 1_000_000L) {
      return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
    return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000.0);
  }

  /** {@code 96 B}, {@code 4.0 KiB}, {@code 1.2 MiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
  }

  /** One line of at most {@code max} characters (newlines flattened), with an ellipsis when cut. */
  /** {@code s} as a sentence: its first letter upper case, a full stop at the end. */
  static String sentence(@Nullable String s) {
    if (s == null || s.isBlank()) {
      return "";
    }
    String t = s.strip();
    t = Character.toUpperCase(t.charAt(0)) + t.substring(1);
    return t.endsWith(".") ? t : t + ".";
  }

  static String line(String s, int max) {
    String flat = s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 3)) + "...";
  }

  /** The longest prefix of {@code s} whose UTF-8 encoding fits in {@code maxBytes}, never splitting a character. */
  static String prefixWithinBytes(String s, int maxBytes) {
    if (s.length() <= maxBytes / 3) {
      return s; // even at 3 bytes per char it fits
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** {@code a, b, c} or {@code none}. */
  static String list(Collection<String> items) {
    return items.isEmpty() ? "none" : String.join(", ", items);
  }

  /** {@code 1 exchange}, {@code 2 exchanges}. */
  static String count(long n, String singular) {
    return n + " " + singular + (n == 1 ? "" : "s");
  }
}
