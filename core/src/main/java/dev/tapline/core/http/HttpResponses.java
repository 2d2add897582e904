package dev.tapline.core.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writing answers on the JDK HTTP server, one way for every Tapline server: JSON bodies, the JSON
 * error body ({@code {"error": code, "detail": what and where}}), raw bytes, and reading query
 * parameters and bounded request bodies.
 */
public final class HttpResponses {
  /** The mapper answers are written with. */
  public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private HttpResponses() {}

  /** {@code value} as JSON, {@code Cache-Control: no-store}. */
  public static void json(HttpExchange ex, int status, Object value) throws IOException {
    send(ex, status, "application/json", JSON.writeValueAsBytes(value), true);
  }

  /** Bytes with a content type, {@code Cache-Control: no-store}. */
  public static void raw(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
    send(ex, status, contentType, bytes, true);
  }

  /**
   * Bytes with a content type; a {@code HEAD} request gets the headers only, 204 and 304 no body.
   *
   * @param noStore whether to add {@code Cache-Control: no-store} (answers holding captured data)
   */
  public static void send(HttpExchange ex, int status, String contentType, byte[] bytes, boolean noStore)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (noStore) {
      ex.getResponseHeaders().set("Cache-Control", "no-store");
    }
    if (status == 204 || status == 304) {
      ex.sendResponseHeaders(status, -1);
    } else if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(bytes.length));
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** {@code {"error": code, "detail": detail, ...extra}} where {@code extra} are name, value pairs. */
  public static void error(HttpExchange ex, int status, ErrorCode code, String detail, Object... extra)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code.code());
    body.put("detail", detail);
    for (int i = 0; i + 1 < extra.length; i += 2) {
      body.put(String.valueOf(extra[i]), extra[i + 1]);
    }
    json(ex, status, body);
  }

  /** 404 {@code not_found} naming the path. */
  public static void notFound(HttpExchange ex) throws IOException {
    error(ex, 404, ErrorCode.NOT_FOUND, "no such resource: " + ex.getRequestURI().getPath());
  }

  /** 405 {@code method_not_allowed} with an {@code Allow} header. */
  public static void methodNotAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().set("Allow", allow);
    error(ex, 405, ErrorCode.METHOD_NOT_ALLOWED, ex.getRequestMethod() + " is not allowed on "
        + ex.getRequestURI().getPath() + "; use " + allow);
  }

  /** Returns false (after answering 405) unless the request is a GET. */
  public static boolean requireGet(HttpExchange ex) throws IOException {
    if (ex.getRequestMethod().equals("GET")) {
      return true;
    }
    methodNotAllowed(ex, "GET");
    return false;
  }

  /** A 303 to {@code location}, not cached. */
  public static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(303, -1);
  }

  /**
   * The query parameters, first value of each name, percent-decoded as UTF-8 ({@code +} is a space).
   *
   * @throws BadRequestException when a name or value has a malformed escape or is not UTF-8 once
   *     decoded ({@link HttpEdge#guarded} answers it with {@code 400 bad_request})
   */
  public static Map<String, String> params(HttpExchange ex) {
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
      String k = decode(eq < 0 ? pair : pair.substring(0, eq), null);
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1), k);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  /** A parameter's value, null when absent or empty. */
  public static @Nullable String param(Map<String, String> params, String name) {
    String v = params.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** Reads at most {@code max} bytes of the request body; null when it is longer. */
  public static byte @Nullable [] body(HttpExchange ex, int max) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(max + 1);
      return b.length > max ? null : b;
    }
  }

  /**
   * Percent-decodes one name or value of a query string, strictly: a {@code %} not followed by two
   * hex digits, or escapes that are not UTF-8, are an error rather than passed on as they are.
   *
   * @param name the parameter this is the value of, or null when {@code s} is a name
   */
  static String decode(String s, @Nullable String name) {
    if (s.indexOf('%') < 0) {
      return s.replace('+', ' ');
    }
    StringBuilder out = new StringBuilder(s.length());
    byte[] bytes = new byte[s.length() / 3];
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '%') {
        out.append(c == '+' ? ' ' : c);
        i++;
        continue;
      }
      int start = i;
      int n = 0;
      while (i < s.length() && s.charAt(i) == '%') {
        int hi = i + 2 < s.length() ? hex(s.charAt(i + 1)) : -1;
        int lo = hi < 0 ? -1 : hex(s.charAt(i + 2));
        if (lo < 0) {
          throw new BadRequestException(what(name) + " has a malformed percent-escape '"
              + s.substring(i, Math.min(s.length(), i + 3)) + "' at character " + i
              + " of its encoded form: a % must be followed by two hex digits (write a literal % as %25)");
        }
        bytes[n++] = (byte) (hi << 4 | lo);
        i += 3;
      }
      try {
        out.append(StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, 0, n)));
      } catch (CharacterCodingException e) {
        throw new BadRequestException(what(name) + " is not UTF-8 once percent-decoded: '"
            + abbreviate(s.substring(start, i)) + "' at character " + start + " of its encoded form");
      }
    }
    return out.toString();
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String what(@Nullable String name) {
    return name == null ? "a query parameter name" : "query parameter '" + abbreviate(name) + "'";
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
