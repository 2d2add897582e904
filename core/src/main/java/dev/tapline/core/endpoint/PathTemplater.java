package dev.tapline.core.endpoint;

import dev.tapline.core.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The heuristic link that closes every {@link Endpoints} chain: turns a concrete path into a
 * template, so that {@code /owners/7/pets/12} and {@code /owners/3/pets/5} are one endpoint, {@code
 * /owners/{ownerId}/pets/{petId}}.
 *
 * <p>A segment is a parameter when it is numeric, a UUID, a ULID, a long hex string, a long opaque
 * token (letters and digits) or a date. A parameter is named after the resource it belongs to, the
 * literal segment just before it, made singular: an id below {@code pets} is {@code petId}, a date
 * below {@code reports} is {@code reportDate}; one after another parameter (or after a version such
 * as {@code v2}) is plain {@code id} or {@code date}. Names are unique within a template ({@code id},
 * {@code id2}). The base path is always {@code ""}: where a service's resources start can only be
 * told from many requests (testgen does) or from a spec ({@link OpenApiSpec}).
 */
public final class PathTemplater implements EndpointResolver {
  /** The link itself: stateless. */
  public static final PathTemplater INSTANCE = new PathTemplater();

  private static final Pattern NUMERIC = Pattern.compile("-?\\d+");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern ULID = Pattern.compile("[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}");
  private static final Pattern HEX = Pattern.compile("(?=.*\\d)[0-9a-fA-F]{16,}");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?");
  // Opaque tokens: long, mixed letters and digits, no separators a word would have.
  private static final Pattern OPAQUE = Pattern.compile("(?=.*\\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}");
  private static final Pattern VERSION = Pattern.compile("v\\d+(\\.\\d+)*");
  /** Path prefixes that name no resource: an id right after them is plain {@code id}. */
  private static final Set<String> NOT_RESOURCES = Set.of("api", "rest", "public", "internal", "v", "by", "id");
  private static final Map<String, String> IRREGULAR = Map.of(
      "people", "person", "children", "child", "men", "man", "women", "woman", "mice", "mouse",
      "geese", "goose", "teeth", "tooth", "feet", "foot", "indices", "index", "matrices", "matrix");

  private PathTemplater() {}

  @Override
  public List<Resolution> resolve(String service, Request request) {
    return List.of(resolution(service, request.method(), request.path()));
  }

  /** The heuristic resolution of one request. */
  public static Resolution resolution(String service, String method, String path) {
    List<String> values = new ArrayList<>(2);
    String template = template(path, values);
    return new Resolution(EndpointKey.of(service, method, template), values, null, "heuristic");
  }

  /** The heuristic template of {@code path}, e.g. {@code /orders/{orderId}}. */
  public static String template(String path) {
    return template(path, null);
  }

  private static String template(String path, @org.jspecify.annotations.Nullable List<String> values) {
    if (path.isEmpty() || path.equals("/")) {
      return "/";
    }
    StringBuilder out = new StringBuilder(path.length() + 8);
    Set<String> used = null;
    String previousLiteral = null;
    int start = path.charAt(0) == '/' ? 1 : 0;
    int i = start;
    while (i <= path.length()) {
      int slash = path.indexOf('/', i);
      int end = slash < 0 ? path.length() : slash;
      String seg = path.substring(i, end);
      out.append('/');
      boolean date = isDate(seg);
      if (date || isId(seg)) {
        String name = paramName(previousLiteral, date);
        if (used == null) {
          used = new HashSet<>(4);
        }
        String unique = name;
        for (int n = 2; !used.add(unique); n++) {
          unique = name + n;
        }
        out.append('{').append(unique).append('}');
        if (values != null) {
          values.add(seg);
        }
        previousLiteral = null;
      } else {
        out.append(seg);
        previousLiteral = seg;
      }
      if (slash < 0) {
        break;
      }
      i = slash + 1;
    }
    return out.toString();
  }

  /** {@code petId} for an id below {@code pets}, {@code reportDate} for a date below {@code reports}. */
  static String paramName(@org.jspecify.annotations.Nullable String resource, boolean date) {
    String suffix = date ? "Date" : "Id";
    String base = resource == null ? "" : singular(lowerCamel(resource));
    if (base.isEmpty() || NOT_RESOURCES.contains(base.toLowerCase(Locale.ROOT))
        || VERSION.matcher(base).matches()) {
      return date ? "date" : "id";
    }
    return base + suffix;
  }

  /** {@code line-items} → {@code lineItems}; empty when the segment does not start with a letter. */
  private static String lowerCamel(String segment) {
    if (segment.isEmpty() || !(segment.charAt(0) < 128 && Character.isLetter(segment.charAt(0)))) {
      return "";
    }
    StringBuilder sb = new StringBuilder(segment.length());
    boolean upperNext = false;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean alnum = c < 128 && Character.isLetterOrDigit(c);
      if (!alnum) {
        upperNext = sb.length() > 0;
        continue;
      }
      if (sb.length() == 0) {
        if (!Character.isLetter(c)) {
          continue;
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(upperNext ? Character.toUpperCase(c) : c);
      }
      upperNext = false;
    }
    return sb.toString();
  }

  /** English plural → singular for resource names: the last word of a camel-case name. */
  static String singular(String name) {
    int lastWord = 0;
    for (int i = name.length() - 1; i > 0; i--) {
      if (Character.isUpperCase(name.charAt(i))) {
        lastWord = i;
        break;
      }
    }
    String head = name.substring(0, lastWord);
    String word = name.substring(lastWord);
    String lower = word.toLowerCase(Locale.ROOT);
    String irregular = IRREGULAR.get(lower);
    if (irregular != null) {
      return head + (lastWord > 0 ? Character.toUpperCase(irregular.charAt(0)) + irregular.substring(1) : irregular);
    }
    String s;
    if (lower.length() > 3 && lower.endsWith("ies")) {
      s = word.substring(0, word.length() - 3) + "y";
    } else if (lower.endsWith("sses") || lower.endsWith("shes") || lower.endsWith("ches") || lower.endsWith("xes")
        || lower.endsWith("zzes")) {
      s = word.substring(0, word.length() - 2);
    } else if (lower.length() > 1 && lower.endsWith("s") && !lower.endsWith("ss") && !lower.endsWith("us")
        && !lower.endsWith("is")) {
      s = word.substring(0, word.length() - 1);
    } else {
      s = word;
    }
    return head + s;
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

  /** True when {@code segment} is an ISO date or date-time. */
  public static boolean isDate(String segment) {
    return segment.length() >= 10 && DATE.matcher(segment).matches();
  }
}
