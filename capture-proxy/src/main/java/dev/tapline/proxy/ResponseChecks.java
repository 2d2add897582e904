package dev.tapline.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy will not pass on from an upstream's response head Netty decoded, because the
 * client could read it differently than the proxy did: a status outside 100..599, or {@code
 * Transfer-Encoding} other than one {@code chunked} (with or without a {@code Content-Length}
 * beside it). Those become a 502. A reason phrase with control characters is replaced by the
 * status's standard one. A response that passes costs a few comparisons and a header lookup.
 */
final class ResponseChecks {
  private ResponseChecks() {}

  /** Thrown into the upstream connection for a response it must not forward; the 502 says why. */
  static final class Rejected extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message);
    }
  }

  /**
   * Checks {@code resp}, repairing its reason phrase in place when needed.
   *
   * @return null when it may be forwarded, else what is wrong with it
   */
  static @Nullable Rejected check(HttpResponse resp) {
    int code = resp.status().code();
    if (code < 100 || code > 599) {
      return new Rejected("malformed response: status " + code + " is not 100..599");
    }
    CharSequence reason = resp.status().reasonPhrase();
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        resp.setStatus(HttpResponseStatus.valueOf(code));
        break;
      }
    }
    HttpHeaders h = resp.headers();
    if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        return new Rejected("malformed response: both Content-Length and Transfer-Encoding");
      }
      List<String> codings = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
        return new Rejected("malformed response: Transfer-Encoding " + codings + ", only chunked is supported");
      }
    }
    return null;
  }
}
