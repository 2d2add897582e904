package dev.tapline.recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Small helpers for the JDK HTTP server: JSON bodies, structured errors, query parameters. */
final class HttpIo {
  static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private HttpIo() {}

  static void json(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void raw(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** {@code {"error": code, "detail": detail, ...extra}}. */
  static void error(HttpExchange ex, int status, String code, String detail, Object... extra) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("detail", detail);
    for (int i = 0; i + 1 < extra.length; i += 2) {
      body.put(String.valueOf(extra[i]), extra[i + 1]);
    }
    json(ex, status, body);
  }

  /** Returns false (after answering 405) unless the request is a GET. */
  static boolean requireGet(HttpExchange ex) throws IOException {
    if (ex.getRequestMethod().equals("GET")) {
      return true;
    }
    ex.getResponseHeaders().set("Allow", "GET");
    error(ex, 405, "method_not_allowed", ex.getRequestMethod() + " is not allowed on "
        + ex.getRequestURI().getPath() + "; use GET");
    return false;
  }

  static Map<String, String> params(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.putIfAbsent(k, v);
    }
    return out;
  }

  static @Nullable String param(Map<String, String> params, String name) {
    String v = params.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
