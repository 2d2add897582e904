package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Response;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A response the proxy answers itself, built once and sent many times: a mock rule's, one read from
 * a recorded exchange, a fault rule's status. Each {@link #toResponse()} wraps the same bytes.
 */
record CannedResponse(int status, List<Header> headers, byte[] body) {
  // Framing and hop-by-hop headers of a recorded response: the body is sent whole (and was captured
  // decoded), so the proxy frames it itself.
  private static final Set<String> NOT_REPLAYED = Set.of("content-length", "transfer-encoding", "content-encoding",
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "via");

  CannedResponse {
    headers = List.copyOf(headers);
  }

  static CannedResponse of(RouteSpec.Mock m) {
    List<Header> h = new ArrayList<>();
    m.headers().forEach((n, v) -> h.add(new Header(n, v)));
    return new CannedResponse(m.status(), h, m.body().getBytes(StandardCharsets.UTF_8));
  }

  /** The response of a recorded exchange, as it was captured, and a header naming the exchange. */
  static CannedResponse of(Exchange e) {
    Response r = e.response();
    if (r == null) {
      throw new IllegalArgumentException("exchange " + e.id() + " has no response");
    }
    List<Header> h = new ArrayList<>();
    for (Header x : r.headers().entries()) {
      if (!NOT_REPLAYED.contains(x.name().toLowerCase(Locale.ROOT))) {
        h.add(x);
      }
    }
    h.add(new Header("Tapline-Mock", "exchange " + e.id() + (r.body().truncated() ? "; body truncated at capture" : "")));
    return new CannedResponse(r.status(), h, r.body().bytes());
  }

  /** A JSON error body like every Tapline answer: {@code {"error": ..., "detail": ...}}. */
  static CannedResponse error(int status, String error, String detail) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail);
    byte[] bytes;
    try {
      bytes = ErrorResponses.JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new CannedResponse(status, List.of(new Header("Content-Type", "application/json")), bytes);
  }

  /** A new response over the same bytes, with its {@code Content-Length}. */
  FullHttpResponse toResponse() {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(body));
    HttpHeaders h = r.headers();
    for (Header x : headers) {
      h.add(x.name(), x.value());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return r;
  }
}
