package dev.tapline.replay;

/** JSON path helpers: {@code $.a.b}, {@code $.items[*].price}, {@code $['odd key']}; {@code header:Name}. */
final class JsonPaths {
  private JsonPaths() {}

  static String field(String parent, String name) {
    if (isIdentifier(name)) {
      return parent + "." + name;
    }
    return parent + "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']";
  }

  static String items(String parent) {
    return parent + "[*]";
  }

  /** True when {@code rule} is {@code path} or one of its ancestors. Header paths ignore case. */
  static boolean covers(String rule, String path) {
    if (rule.regionMatches(true, 0, "header:", 0, 7)) {
      return path.regionMatches(true, 0, rule, 0, rule.length())
          && (path.length() == rule.length() || path.charAt(rule.length()) == '[');
    }
    if (!path.startsWith(rule)) {
      return false;
    }
    if (path.length() == rule.length() || rule.equals("$")) {
      return true;
    }
    char next = path.charAt(rule.length());
    return next == '.' || next == '[';
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_' || s.charAt(0) == '$')) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$')) {
        return false;
      }
    }
    return true;
  }
}
