package dev.tapline.mcp;

import dev.tapline.core.api.QueryTerms;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a tool's filters into one recorder query (docs/API.md): the agent's own Lucene query, a
 * service, a routing key and a time window, ANDed.
 */
final class Query {
  private static final Pattern SINCE = Pattern.compile("(\\d{1,6})\\s*([smhdw])");
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.@-]+");

  static final String SYNTAX = "Query syntax: field:value ANDed by default (fields service, routingKey, target, method,"
      + " path, template, status, duration, time, header, body; a bare word searches bodies), OR/NOT,"
      + " status:5xx, status:[400 TO 499], template:\"/orders/{orderId}\", time:[now-1h TO now].";

  private Query() {}

  /**
   * The combined query, or null for "everything".
   *
   * @param routingKey a routing key, or {@code ""} for baseline traffic only
   * @param since a window like {@code 15m}, {@code 2h}, {@code 7d}
   */
  static @Nullable String of(@Nullable String query, @Nullable String service, @Nullable String routingKey,
      @Nullable String since) {
    List<String> parts = new ArrayList<>();
    if (service != null) {
      parts.add("service:" + term(service));
    }
    if (routingKey != null) {
      parts.add(routingKey.isEmpty() ? "target:baseline" : "routingKey:" + term(routingKey));
    }
    if (since != null) {
      parts.add("time:[now-" + since(since) + " TO now]");
    }
    if (query != null) {
      parts.add(0, parts.isEmpty() ? query : "(" + query + ")");
    }
    return parts.isEmpty() ? null : String.join(" AND ", parts);
  }

  /** {@code 15m} → {@code 15m}; {@code 2w} → {@code 14d}: what the recorder's {@code now-N} takes. */
  static String since(String since) {
    Matcher m = SINCE.matcher(since.strip().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      throw new ToolError("since must be a time window like 30s, 15m, 2h, 7d or 2w, got \"" + since + "\".");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("w") ? (n * 7) + "d" : n + m.group(2);
  }

  /** A keyword value as a query term: bare when plain, else quoted. */
  static String term(String value) {
    if (PLAIN.matcher(value).matches()) {
      return value;
    }
    return QueryTerms.quoted(value);
  }

  /** How the query shows in a result: {@code `q`}, or {@code everything}. */
  static String show(@Nullable String q) {
    return q == null ? "(everything)" : "`" + q + "`";
  }
}
