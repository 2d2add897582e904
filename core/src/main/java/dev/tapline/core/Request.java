package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * The request half of an exchange.
 *
 * @param authority the {@code Host} the client asked for
 * @param rawQuery the query string exactly as sent, without {@code ?}, or null when there was none
 */
public record Request(
    String method,
    String scheme,
    String authority,
    String path,
    @Nullable String rawQuery,
    Headers headers,
    Body body) {

  public Request {
    requireNonNull(method, "method");
    requireNonNull(scheme, "scheme");
    requireNonNull(authority, "authority");
    requireNonNull(path, "path");
    requireNonNull(headers, "headers");
    requireNonNull(body, "body");
  }

  /** Path plus {@code ?query} when there is one: what goes on the request line. */
  public String uri() {
    return rawQuery == null ? path : path + "?" + rawQuery;
  }
}
