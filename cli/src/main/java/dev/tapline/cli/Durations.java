package dev.tapline.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code 500ms}, {@code 30s}, {@code 15m}, {@code 12h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code PT30S}). */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  static Duration parse(String flag, String value) {
    String v = value.trim();
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      throw new UsageException(flag + " must be a duration like 500ms, 30s, 15m, 12h or 7d, got '" + value + "'");
    }
  }

  /** Like {@link #parse}, and the duration must be longer than zero. */
  static Duration positive(String flag, String value) {
    Duration d = parse(flag, value);
    if (d.isZero() || d.isNegative()) {
      throw new UsageException(flag + " must be positive, got '" + value + "'");
    }
    return d;
  }
}
