package dev.tapline.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one tool call, read with checks whose messages name the argument, what it takes
 * and what was given. Numbers sent as strings ({@code "20"}) are accepted; unknown names are not,
 * since a misspelt {@code q} silently ignored would search everything.
 */
final class Args {
  private final String tool;
  private final Map<String, Object> values;

  Args(String tool, @Nullable Map<String, Object> values, Set<String> known) {
    this.tool = tool;
    this.values = values == null ? Map.of() : values;
    Set<String> unknown = new TreeSet<>(this.values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new ToolError(tool + " does not take " + String.join(", ", unknown) + "; its arguments are "
          + String.join(", ", new TreeSet<>(known)) + ".");
    }
  }

  /** A non-blank string, stripped; null when absent, null or blank. */
  @Nullable String string(String name) {
    Object v = values.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ToolError(name + " must be a string, got " + describe(v) + ".");
    }
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }

  /** Like {@link #string} but keeps an empty string (where "" means something, e.g. baseline only). */
  @Nullable String stringOrEmpty(String name) {
    Object v = values.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ToolError(name + " must be a string, got " + describe(v) + ".");
    }
    return s.strip();
  }

  String required(String name, String example) {
    String v = string(name);
    if (v == null) {
      throw new ToolError(tool + " needs " + name + ", e.g. " + example + ".");
    }
    return v;
  }

  int integer(String name, int dflt, int min, int max) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else if (v instanceof String s && s.strip().matches("-?\\d{1,18}")) {
      n = Long.parseLong(s.strip());
    } else {
      throw new ToolError(name + " must be a whole number from " + min + " to " + max + ", got " + describe(v) + ".");
    }
    if (n < min || n > max) {
      throw new ToolError(name + " must be from " + min + " to " + max + ", got " + n + ".");
    }
    return (int) n;
  }

  /** A list of strings; a single string is taken as a list of one (or split on commas). */
  List<String> strings(String name) {
    Object v = values.get(name);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      return out;
    }
    if (!(v instanceof List<?> list)) {
      throw new ToolError(name + " must be a list of strings, got " + describe(v) + ".");
    }
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new ToolError(name + " must be a list of strings, got an item " + describe(o) + ".");
      }
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  /** The raw JSON value (object, array, string, number, boolean), or null when absent. */
  @Nullable Object raw(String name) {
    return values.get(name);
  }

  boolean has(String name) {
    return values.get(name) != null;
  }

  private static String describe(Object v) {
    String s = v instanceof String str ? "\"" + str + "\"" : String.valueOf(v);
    String type = v instanceof String ? "" : " (" + v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + ")";
    return (s.length() > 60 ? s.substring(0, 60) + "..." : s) + type;
  }
}
