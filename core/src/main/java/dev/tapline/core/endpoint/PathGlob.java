package dev.tapline.core.endpoint;

import java.util.regex.Pattern;

/**
 * A path glob as every stage reads it (the proxy's capture globs and route rules, the GraphQL
 * resolver's paths): {@code *} matches within a segment, {@code **} across, {@code ?} one char, and
 * a template segment {@code {name}} one whole non-empty segment (so a path template such as {@code
 * /orders/{orderId}} from the endpoint catalog is a pattern too).
 */
public final class PathGlob {
  private PathGlob() {}

  /**
   * The pattern a whole path must match.
   *
   * @throws IllegalArgumentException for a blank glob, or a template parameter that is not a whole segment
   */
  public static Pattern compile(String glob) {
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
