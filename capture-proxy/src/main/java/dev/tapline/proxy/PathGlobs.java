package dev.tapline.proxy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Include/exclude path globs: {@code *} matches within a segment, {@code **} across, {@code ?} one
 * char, and a template segment {@code {name}} one whole non-empty segment (so a path template such
 * as {@code /orders/{orderId}} from the endpoint catalog is a pattern too).
 */
record PathGlobs(List<Pattern> include, List<Pattern> exclude) {

  static PathGlobs of(List<String> include, List<String> exclude) {
    return new PathGlobs(include.stream().map(PathGlobs::compile).toList(),
        exclude.stream().map(PathGlobs::compile).toList());
  }

  boolean isEmpty() {
    return include.isEmpty() && exclude.isEmpty();
  }

  boolean matches(String path) {
    for (Pattern p : exclude) {
      if (p.matcher(path).matches()) {
        return false;
      }
    }
    if (include.isEmpty()) {
      return true;
    }
    for (Pattern p : include) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  static Pattern compile(String glob) {
    if (glob.isBlank()) {
      throw new IllegalArgumentException("path glob must not be blank");
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '{' && glob.indexOf('}', i) > i + 1 && (i == 0 || glob.charAt(i - 1) == '/')) {
        int close = glob.indexOf('}', i);
        if (close + 1 < glob.length() && glob.charAt(close + 1) != '/') {
          throw new IllegalArgumentException("a template parameter must be a whole segment, like /orders/{id}: "
              + glob);
        }
        re.append("[^/]+");
        i = close;
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
