package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;

/** Java identifiers and file names derived from recorded paths: always legal, never a path. */
final class Names {
  private static final Pattern VERSION = Pattern.compile("v\\d+");
  private static final Set<String> SKIP_PREFIXES = Set.of("api", "rest", "public", "internal");

  private Names() {}

  /** Words of a piece of text: runs of ASCII letters and digits. */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = c < 128 && Character.isLetterOrDigit(c);
      boolean boundary = alnum && w.length() > 0 && Character.isUpperCase(c)
          && Character.isLowerCase(w.charAt(w.length() - 1));
      if (!alnum || boundary) {
        if (w.length() > 0) {
          out.add(w.toString());
          w.setLength(0);
        }
      }
      if (alnum) {
        w.append(c);
      }
    }
    if (w.length() > 0) {
      out.add(w.toString());
    }
    return out;
  }

  static String upperCamel(String s) {
    StringBuilder sb = new StringBuilder();
    for (String w : words(s)) {
      sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
    }
    return sb.toString();
  }

  static String lowerCamel(String s) {
    String u = upperCamel(s);
    return u.isEmpty() ? u : Character.toLowerCase(u.charAt(0)) + u.substring(1);
  }

  /** A legal Java identifier close to {@code s}; {@code fallback} when nothing is left. */
  static String identifier(String s, String fallback) {
    String id = lowerCamel(s);
    if (id.isEmpty()) {
      id = fallback;
    }
    if (Character.isDigit(id.charAt(0))) {
      id = fallback + id;
    }
    if (id.length() > 60) {
      id = id.substring(0, 52) + Integer.toHexString(id.hashCode() & 0x7fffffff);
    }
    if (SourceVersion.isKeyword(id) || !SourceVersion.isIdentifier(id) || id.equals("given")
        || id.equals("when") || id.equals("then") || id.equals("spec") || id.equals("var")
        || id.equals("yield") || id.equals("record") || id.equals("_")) {
      id = id + "Value";
    }
    return id;
  }

  /** The resource a template belongs to: its first literal segment after api/version prefixes. */
  static String resource(String template) {
    String first = null;
    for (String seg : template.split("/")) {
      if (seg.isEmpty() || seg.startsWith("{")) {
        continue;
      }
      String lower = seg.toLowerCase(Locale.ROOT);
      if (first == null) {
        first = seg;
      }
      if (SKIP_PREFIXES.contains(lower) || VERSION.matcher(lower).matches()) {
        continue;
      }
      return seg;
    }
    return first == null ? "root" : first;
  }

  /** {@code OrdersContractTest}. */
  static String className(String service, String resource, boolean qualifyWithService) {
    String base = upperCamel(resource);
    if (base.isEmpty()) {
      base = "Root";
    }
    if (Character.isDigit(base.charAt(0))) {
      base = "R" + base;
    }
    if (qualifyWithService) {
      String svc = upperCamel(service);
      base = (svc.isEmpty() || Character.isDigit(svc.charAt(0)) ? "S" + svc : svc) + base;
    }
    if (base.length() > 60) {
      base = base.substring(0, 52) + Integer.toHexString(base.hashCode() & 0x7fffffff);
    }
    return base + "ContractTest";
  }

  /** {@code getOrdersById_returns200}. */
  static String testMethod(EndpointKey key, @org.jspecify.annotations.Nullable String operationId, int status) {
    String base;
    if (operationId != null && !operationId.isBlank() && !lowerCamel(operationId).isEmpty()) {
      base = identifier(operationId, "op");
    } else {
      StringBuilder sb = new StringBuilder(key.method().toLowerCase(Locale.ROOT));
      String previous = "";
      for (String seg : key.template().split("/")) {
        if (seg.isEmpty()) {
          continue;
        }
        if (seg.startsWith("{") && seg.endsWith("}")) {
          sb.append("By").append(upperCamel(withoutResource(seg.substring(1, seg.length() - 1), previous)));
          previous = "";
        } else {
          sb.append(upperCamel(seg));
          previous = seg;
        }
      }
      base = identifier(sb.toString(), "call");
    }
    return base + "_returns" + status;
  }

  /**
   * {@code orderId} below {@code orders} is just {@code Id} in a method name ({@code getOrdersById}):
   * the resource is named already.
   */
  static String withoutResource(String param, String resource) {
    String lower = param.toLowerCase(Locale.ROOT);
    String res = lowerCamel(resource).toLowerCase(Locale.ROOT);
    for (String suffix : new String[] {"id", "date"}) {
      if (lower.endsWith(suffix) && lower.length() > suffix.length()
          && res.startsWith(lower.substring(0, lower.length() - suffix.length()))) {
        return param.substring(param.length() - suffix.length());
      }
    }
    return param;
  }

  /** The template with each parameter shortened as in method names: {@code /orders/{id}}. */
  static String shortTemplate(String template) {
    StringBuilder sb = new StringBuilder(template.length());
    String previous = "";
    for (String seg : template.split("/", -1)) {
      if (sb.length() > 0 || !seg.isEmpty()) {
        sb.append('/');
      }
      if (seg.length() > 2 && seg.startsWith("{") && seg.endsWith("}")) {
        String p = withoutResource(seg.substring(1, seg.length() - 1), previous);
        sb.append('{').append(Character.toLowerCase(p.charAt(0))).append(p.substring(1)).append('}');
        previous = "";
      } else {
        sb.append(seg);
        previous = seg;
      }
    }
    return sb.toString();
  }

  /** A file-name slug: lower-case ASCII letters, digits and dashes only. */
  static String slug(String s) {
    String joined = String.join("-", words(s)).toLowerCase(Locale.ROOT);
    if (joined.isEmpty()) {
      joined = "root";
    }
    return joined.length() > 80 ? joined.substring(0, 72) + Integer.toHexString(joined.hashCode() & 0x7fffffff) : joined;
  }

  /** Checks a Java package name (dotted identifiers, no keywords). */
  static String validPackage(String pkg) {
    if (pkg.isEmpty() || !SourceVersion.isName(pkg)) {
      throw new IllegalArgumentException("package must be a valid Java package name such as com.acme.orders: " + pkg);
    }
    return pkg;
  }
}
