package dev.tapline.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tapline.core.ExchangeCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Small response helpers shared by the UI's handlers. */
final class Http {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  static final String COOKIE = "tapline_token";

  private Http() {}

  /** Security headers; the recorder sets the same CSP, this keeps it when a handler runs elsewhere. */
  static void secure(HttpExchange ex) {
    var h = ex.getResponseHeaders();
    if (!h.containsKey("Content-Security-Policy")) {
      h.set("Content-Security-Policy", CSP);
    }
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    secure(ex);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    if (status == 204 || status == 304) {
      ex.sendResponseHeaders(status, -1);
    } else if (head) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  static void json(HttpExchange ex, int status, Object value) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    send(ex, status, "application/json; charset=utf-8", ExchangeCodec.mapper().writeValueAsBytes(value));
  }

  static void error(HttpExchange ex, int status, String error, String detail) throws IOException {
    ObjectNode n = ExchangeCodec.mapper().createObjectNode();
    n.put("error", error);
    n.put("detail", detail);
    json(ex, status, n);
  }

  static void redirect(HttpExchange ex, String location) throws IOException {
    secure(ex);
    ex.getResponseHeaders().set("Location", location);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(303, -1);
    ex.close();
  }

  static void methodNotAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().set("Allow", allow);
    error(ex, 405, "method not allowed",
        ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " accepts " + allow);
  }

  /** Reads at most {@code max} bytes of the request body; null when it is longer. */
  static byte @Nullable [] body(HttpExchange ex, int max) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(max + 1);
      return b.length > max ? null : b;
    }
  }

  /** True when the request carries the token as a bearer header or as the login cookie. */
  static boolean authorized(HttpExchange ex, @Nullable String token) {
    if (token == null) {
      return true;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
        && same(auth.substring(7).trim(), token)) {
      return true;
    }
    List<String> cookies = ex.getRequestHeaders().get("Cookie");
    if (cookies != null) {
      for (String line : cookies) {
        for (String c : line.split(";")) {
          String kv = c.trim();
          if (kv.startsWith(COOKIE + "=") && same(kv.substring(COOKIE.length() + 1), token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Constant-time comparison, so the time a wrong guess takes says nothing about the token. */
  static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
