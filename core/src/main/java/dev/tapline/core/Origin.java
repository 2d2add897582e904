package dev.tapline.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a captured request came from: users' {@link #LIVE} traffic, or Tapline's own requests,
 * which carry the marker header {@value #HEADER} ({@code replay}, {@code test}, {@code verify}). The
 * proxy forwards the header untouched and captures it like any other; the recorder indexes it as
 * {@code origin}; the catalog, generation, spec inference and replay use only live traffic unless
 * asked otherwise, so Tapline's own traffic never feeds back into what it learns.
 *
 * <pre>{@code
 * Origin o = Origin.of(exchange.request());      // LIVE unless the marker says otherwise
 * Set<Origin> wanted = Origin.parseList("live,test");
 * }</pre>
 */
public enum Origin {
  /** Users' traffic: no marker, or a marker Tapline does not know. */
  LIVE,
  /** Sent by {@code tapline replay}. */
  REPLAY,
  /** Sent by generated tests. */
  TEST,
  /** Sent by {@code tapline generate --verify}. */
  VERIFY;

  /** The marker header Tapline's own clients send. */
  public static final String HEADER = "tapline-origin";

  /** What is used when nothing else is asked for. */
  public static final Set<Origin> DEFAULT = Set.of(LIVE);

  /** The name written in the header and indexed: {@code live}, {@code replay}, ... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The origin of a request by its marker header. */
  public static Origin of(Request request) {
    return of(request.headers().first(HEADER));
  }

  /** The origin a marker value names; LIVE for none or an unknown one. */
  public static Origin of(@Nullable String marker) {
    if (marker == null) {
      return LIVE;
    }
    return switch (marker.trim().toLowerCase(Locale.ROOT)) {
      case "replay" -> REPLAY;
      case "test" -> TEST;
      case "verify" -> VERIFY;
      default -> LIVE;
    };
  }

  /**
   * {@code live}, {@code test,replay}, or {@code all}.
   *
   * @throws IllegalArgumentException naming the value that is not an origin
   */
  public static Set<Origin> parseList(String list) {
    if (list.trim().equalsIgnoreCase("all")) {
      return EnumSet.allOf(Origin.class);
    }
    EnumSet<Origin> out = EnumSet.noneOf(Origin.class);
    for (String part : list.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.isEmpty()) {
        continue;
      }
      Origin o = switch (p) {
        case "live" -> LIVE;
        case "replay" -> REPLAY;
        case "test" -> TEST;
        case "verify" -> VERIFY;
        default -> throw new IllegalArgumentException("origin must be live, replay, test, verify or all, got '" + part.trim() + "'");
      };
      out.add(o);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("origin list is empty: give live, replay, test, verify or all");
    }
    return out;
  }
}
