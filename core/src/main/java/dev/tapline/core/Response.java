package dev.tapline.core;

import static java.util.Objects.requireNonNull;

/** The response half of an exchange, when the upstream sent one. */
public record Response(int status, Headers headers, Body body) {
  public Response {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must be a three-digit HTTP status: " + status);
    }
    requireNonNull(headers, "headers");
    requireNonNull(body, "body");
  }
}
