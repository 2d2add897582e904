package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where each service's resources sit: the path generated tests are relative to and that {@code
 * tapline.baseUri} includes. The spec's {@code servers} path when the endpoints came from one;
 * else the leading literal segments every endpoint of the service shares, above its resources
 * ({@code /shop/v1} above {@code /shop/v1/carts/...} and {@code /shop/v1/users/...}; nothing for
 * {@code /orders} and {@code /orders/{orderId}}, where {@code /orders} itself is the resource); or
 * what the user says ({@code --base-path}).
 */
final class BasePaths {
  private BasePaths() {}

  /** Service → base path ({@code ""} for none). */
  static Map<String, String> of(Collection<EndpointKey> keys, @Nullable String forced) {
    TreeMap<String, List<EndpointKey>> byService = new TreeMap<>();
    for (EndpointKey k : keys) {
      byService.computeIfAbsent(k.service(), s -> new ArrayList<>()).add(k);
    }
    TreeMap<String, String> out = new TreeMap<>();
    byService.forEach((service, list) -> out.put(service, forced != null ? normalize(forced) : infer(list)));
    return out;
  }

  static String normalize(String base) {
    String b = base.trim();
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    if (!b.isEmpty() && !b.startsWith("/")) {
      b = "/" + b;
    }
    return b;
  }

  static String infer(List<EndpointKey> keys) {
    for (EndpointKey k : keys) {
      if (!k.basePath().isEmpty()) {
        return k.basePath(); // a spec said so
      }
    }
    List<String[]> paths = new ArrayList<>();
    for (EndpointKey k : keys) {
      paths.add(segments(k.path()));
    }
    // The literal segments every path starts with.
    int common = Integer.MAX_VALUE;
    String[] first = paths.get(0);
    for (String[] p : paths) {
      int n = 0;
      while (n < p.length && n < first.length && p[n].equals(first[n]) && !isParam(p[n])) {
        n++;
      }
      common = Math.min(common, n);
    }
    if (common == 0 || common == Integer.MAX_VALUE) {
      return "";
    }
    // The last shared segment is a resource when a path ends there or a parameter follows it.
    boolean lastIsResource = false;
    for (String[] p : paths) {
      if (p.length == common || (p.length > common && isParam(p[common]))) {
        lastIsResource = true;
        break;
      }
    }
    int keep = lastIsResource ? common - 1 : common;
    if (keep <= 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keep; i++) {
      sb.append('/').append(first[i]);
    }
    return sb.toString();
  }

  private static String[] segments(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  private static boolean isParam(String seg) {
    return seg.length() > 2 && seg.startsWith("{") && seg.endsWith("}");
  }
}
