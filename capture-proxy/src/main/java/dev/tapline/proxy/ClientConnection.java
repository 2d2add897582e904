package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import io.netty.handler.codec.http.HttpRequest;

/**
 * How a client reached the proxy: over TLS or not, in HTTP/1.x or HTTP/2. Each {@link
 * FrontendHandler} serves one of these (one per HTTP/1.x connection, one per HTTP/2 stream); it
 * decides the exchange's {@code scheme} and {@code protocol} and the {@code X-Forwarded-Proto} the
 * upstream sees.
 */
enum ClientConnection {
  /** HTTP/1.0 or 1.1 on the plain listener. */
  PLAIN_H1(false, false),
  /** HTTP/1.0 or 1.1 over TLS (ALPN chose http/1.1, or the client offered none). */
  TLS_H1(true, false),
  /** HTTP/2 on the plain listener, by prior knowledge (h2c). */
  H2C(false, true),
  /** HTTP/2 over TLS (ALPN chose h2). */
  TLS_H2(true, true);

  private final boolean tls;
  private final boolean h2;

  ClientConnection(boolean tls, boolean h2) {
    this.tls = tls;
    this.h2 = h2;
  }

  static ClientConnection of(boolean tls, boolean h2) {
    return h2 ? (tls ? TLS_H2 : H2C) : (tls ? TLS_H1 : PLAIN_H1);
  }

  boolean tls() {
    return tls;
  }

  boolean h2() {
    return h2;
  }

  /** The request's scheme as captured and as {@code X-Forwarded-Proto} says it: {@code https} or {@code http}. */
  String scheme() {
    return tls ? "https" : "http";
  }

  /**
   * {@link Exchange#protocol()}: {@code HTTP/2}, or the HTTP/1.x version of the request line (an
   * HTTP/2 request reaches the handler converted to an HTTP/1.1 message).
   */
  String protocol(HttpRequest request) {
    return h2 ? Exchange.HTTP_2 : request.protocolVersion().text();
  }
}
