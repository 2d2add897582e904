package dev.tapline.core;

import static java.util.Objects.requireNonNull;

/**
 * The response half of an exchange, when the upstream sent one.
 *
 * @param trailers the fields sent after the body (HTTP/2 trailers, such as gRPC's {@code
 *     grpc-status}, or an HTTP/1.1 chunked body's trailer section); empty when there were none
 */
public record Response(int status, Headers headers, Body body, Headers trailers) {
  public Response(int status, Headers headers, Body body) {
    this(status, headers, body, Headers.empty());
  }

  public Response {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must be a three-digit HTTP status: " + status);
    }
    requireNonNull(headers, "headers");
    requireNonNull(body, "body");
    requireNonNull(trailers, "trailers");
  }
}
