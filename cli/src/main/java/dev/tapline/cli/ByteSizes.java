package dev.tapline.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count: {@code 1048576}, or with a binary unit, {@code 512KiB}, {@code 256MiB}, {@code 2GiB} ({@code k/m/g} too). */
final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");

  private ByteSizes() {}

  static long parse(String flag, String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      int shift = switch (m.group(2).isEmpty() ? 'b' : m.group(2).charAt(0)) {
        case 'k' -> 10;
        case 'm' -> 20;
        case 'g' -> 30;
        case 't' -> 40;
        default -> 0;
      };
      try {
        long n = Long.parseLong(m.group(1));
        if (n <= (Long.MAX_VALUE >> shift)) {
          return n << shift;
        }
      } catch (NumberFormatException e) {
        // too large: the message below
      }
    }
    throw new UsageException(flag + " must be a size in bytes like 1073741824, 512MiB or 2GiB, got '" + value + "'");
  }
}
