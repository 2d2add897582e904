package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A path to leave out of the comparison ({@code --ignore}): a JSON path for every endpoint ({@code
 * $.meta.requestId}), or one endpoint's path ({@code GET /orders/{id}:$.updatedAt}). A rule also
 * covers everything below its path. Array indexes are written {@code [*]} ({@code [0]} means the
 * same). Headers are {@code header:Name}, the status is {@code status}.
 */
public record IgnoreRule(@Nullable String method, @Nullable String template, String path) {
  public IgnoreRule {
    requireNonNull(path, "path");
    if ((method == null) != (template == null)) {
      throw new IllegalArgumentException("an ignore rule names both a method and a template, or neither");
    }
  }

  /** Parses {@code $.a.b}, {@code header:ETag}, {@code status} or {@code METHOD /template:path}. */
  public static IgnoreRule parse(String spec) {
    requireNonNull(spec, "spec");
    String s = spec.trim();
    if (isPath(s)) {
      return new IgnoreRule(null, null, normalize(s));
    }
    int space = s.indexOf(' ');
    if (space > 0) {
      String method = s.substring(0, space).toUpperCase(Locale.ROOT);
      String rest = s.substring(space + 1).trim();
      int colon = -1;
      for (String marker : new String[] {":$", ":header:", ":status"}) {
        int i = rest.indexOf(marker);
        if (i > 0) {
          colon = i;
          break;
        }
      }
      if (method.chars().allMatch(Character::isLetter) && rest.startsWith("/") && colon > 0) {
        return new IgnoreRule(method, rest.substring(0, colon), normalize(rest.substring(colon + 1)));
      }
    }
    throw new IllegalArgumentException("--ignore takes a JSON path ($.meta.requestId), header:Name, status, "
        + "or METHOD /template:path (GET /orders/{id}:$.updatedAt), got \"" + spec + "\"");
  }

  /** True when this rule silences a difference at {@code diffPath} of endpoint {@code method template}. */
  public boolean matches(String diffMethod, String diffTemplate, String diffPath) {
    if (method != null && !(method.equals(diffMethod) && diffTemplate.equals(template))) {
      return false;
    }
    return JsonPaths.covers(path, diffPath);
  }

  @Override
  public String toString() {
    return method == null ? path : method + " " + template + ":" + path;
  }

  private static boolean isPath(String s) {
    return s.startsWith("$") || s.regionMatches(true, 0, "header:", 0, 7) || s.equalsIgnoreCase("status");
  }

  private static String normalize(String p) {
    if (p.equalsIgnoreCase("status")) {
      return "status";
    }
    return p.replaceAll("\\[\\d+]", "[*]");
  }
}
