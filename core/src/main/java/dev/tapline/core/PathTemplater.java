package dev.tapline.core;

import java.util.regex.Pattern;

/**
 * Turns concrete paths into templates so that {@code /orders/1042} and {@code /orders/77} group as
 * {@code /orders/{id}}. A segment becomes a parameter when it is numeric, a UUID, a ULID, a long hex
 * string or a date; the first parameter is {@code {id}}, later ones {@code {id2}}, {@code {id3}}; dates
 * are {@code {date}}. An OpenAPI spec, where there is one, wins over these heuristics (see testgen).
 */
public final class PathTemplater {
  private static final Pattern NUMERIC = Pattern.compile("-?\\d+");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern ULID = Pattern.compile("[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}");
  private static final Pattern HEX = Pattern.compile("(?=.*\\d)[0-9a-fA-F]{16,}");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?");
  // Opaque tokens: long, mixed letters and digits, no separators a word would have.
  private static final Pattern OPAQUE = Pattern.compile("(?=.*\\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}");

  private PathTemplater() {}

  public static String template(String path) {
    if (path.isEmpty() || path.equals("/")) {
      return "/";
    }
    StringBuilder out = new StringBuilder(path.length());
    int params = 0;
    int start = path.charAt(0) == '/' ? 1 : 0;
    int i = start;
    while (i <= path.length()) {
      int slash = path.indexOf('/', i);
      int end = slash < 0 ? path.length() : slash;
      String seg = path.substring(i, end);
      out.append('/');
      if (isDate(seg)) {
        out.append("{date}");
      } else if (isId(seg)) {
        params++;
        out.append(params == 1 ? "{id}" : "{id" + params + "}");
      } else {
        out.append(seg);
      }
      if (slash < 0) {
        break;
      }
      i = slash + 1;
    }
    return out.toString();
  }

  /** True when {@code segment} looks like an identifier rather than a resource name. */
  public static boolean isId(String segment) {
    return !segment.isEmpty()
        && mayBeId(segment)
        && (NUMERIC.matcher(segment).matches()
            || UUID.matcher(segment).matches()
            || ULID.matcher(segment).matches()
            || HEX.matcher(segment).matches()
            || OPAQUE.matcher(segment).matches());
  }

  /**
   * Every id form above has a digit, or (a UUID of letters only) a dash: most resource names have
   * neither and skip the patterns.
   */
  private static boolean mayBeId(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if ((c >= '0' && c <= '9') || c == '-') {
        return true;
      }
    }
    return false;
  }

  static boolean isDate(String segment) {
    return segment.length() >= 10 && DATE.matcher(segment).matches();
  }
}
