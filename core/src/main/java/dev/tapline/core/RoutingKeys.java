package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Finds the sandbox routing key a request carries. Sources are tried in order and the first match
 * wins. A source is either a header name ({@code x-routing-key}) or a W3C baggage entry written
 * {@code baggage:sd-routing-key}. The request is never changed: services propagate the key
 * downstream themselves.
 *
 * <pre>{@code
 * RoutingKeys keys = RoutingKeys.defaults();
 * String key = keys.extract(name -> request.headers().getAll(name));  // null when none
 * }</pre>
 */
public final class RoutingKeys {
  /** The baggage member and header name sandboxes use. */
  public static final String KEY_NAME = "sd-routing-key";

  public static final List<String> DEFAULT_SOURCES = List.of(
      "baggage:" + KEY_NAME,
      KEY_NAME,
      "x-routing-key",
      "uberctx-" + KEY_NAME,
      "ot-baggage-" + KEY_NAME);

  private record Source(boolean baggage, String name) {}

  private final List<Source> sources;

  private RoutingKeys(List<Source> sources) {
    this.sources = sources;
  }

  public static RoutingKeys defaults() {
    return of(DEFAULT_SOURCES);
  }

  /** @param sources header names, or {@code baggage:<member>} for a W3C baggage member */
  public static RoutingKeys of(List<String> sources) {
    requireNonNull(sources, "sources");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("routing key sources must not be empty");
    }
    List<Source> parsed = new ArrayList<>();
    for (String s : sources) {
      String t = s.trim();
      if (t.regionMatches(true, 0, "baggage:", 0, 8)) {
        String member = t.substring(8).trim();
        if (member.isEmpty()) {
          throw new IllegalArgumentException("routing key source \"" + s + "\" names no baggage member");
        }
        parsed.add(new Source(true, member));
      } else if (t.isEmpty()) {
        throw new IllegalArgumentException("routing key source must not be blank");
      } else {
        parsed.add(new Source(false, t.toLowerCase(Locale.ROOT)));
      }
    }
    return new RoutingKeys(List.copyOf(parsed));
  }

  /**
   * @param headers all values of a header by (case-insensitive) name, empty when absent
   * @return the routing key, or null when the request carries none
   */
  public @Nullable String extract(Function<String, List<String>> headers) {
    for (Source s : sources) {
      if (s.baggage()) {
        for (String value : headers.apply("baggage")) {
          String v = baggageMember(value, s.name());
          if (v != null) {
            return v;
          }
        }
      } else {
        for (String value : headers.apply(s.name())) {
          String v = value.trim();
          if (!v.isEmpty()) {
            return v;
          }
        }
      }
    }
    return null;
  }

  public @Nullable String extract(Headers headers) {
    return extract(headers::all);
  }

  /** The value of {@code member} in a W3C baggage header ({@code k=v;prop, k2=v2}), or null. */
  static @Nullable String baggageMember(String baggage, String member) {
    for (String entry : baggage.split(",")) {
      int semi = entry.indexOf(';');
      String kv = semi < 0 ? entry : entry.substring(0, semi);
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      if (kv.substring(0, eq).trim().equals(member)) {
        String raw = kv.substring(eq + 1).trim();
        if (raw.isEmpty()) {
          return null;
        }
        try {
          return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return raw;
        }
      }
    }
    return null;
  }
}
