package dev.tapline.ui;

import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import dev.tapline.core.http.ErrorCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /login} shows the sign-in form; {@code POST /login} checks the token and sets it as an
 * HttpOnly, SameSite=Strict cookie, which the recorder accepts in place of a bearer header (the
 * browser's EventSource cannot send headers).
 */
final class Login implements HttpHandler {
  // RFC 6265 cookie-octets: a token outside them cannot be sent back unchanged in a cookie.
  private static final Pattern COOKIE_SAFE = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+");
  private static final Pattern NEXT = Pattern.compile("#/[A-Za-z0-9/?&=%._~+:,@!*'()-]*");

  private final @Nullable String token;
  private final HttpEdge edge;

  Login(@Nullable String token) {
    this.token = token;
    this.edge = HttpEdge.token(token);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestURI().getPath().equals("/login")) {
        HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no page at " + ex.getRequestURI().getPath());
        return;
      }
      switch (ex.getRequestMethod()) {
        case "GET", "HEAD" -> page(ex);
        case "POST" -> submit(ex);
        default -> HttpResponses.methodNotAllowed(ex, "GET, POST");
      }
    } finally {
      ex.close();
    }
  }

  private void page(HttpExchange ex) throws IOException {
    if (token == null) {
      HttpResponses.redirect(ex, "/");
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    HttpResponses.send(ex, 200, "text/html; charset=utf-8", StaticAssets.bytes("login.html"), false);
  }

  private void submit(HttpExchange ex) throws IOException {
    if (token == null) {
      HttpResponses.redirect(ex, "/");
      return;
    }
    byte[] body = HttpResponses.body(ex, 16 * 1024);
    if (body == null) {
      HttpResponses.error(ex, 413, ErrorCode.PAYLOAD_TOO_LARGE, "login form too large: POST /login takes a form with one field, token");
      return;
    }
    String given = null;
    String next = null;
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = decode(pair.substring(0, eq));
      String value = decode(pair.substring(eq + 1));
      if (name.equals("token")) {
        given = value;
      } else if (name.equals("next")) {
        next = value;
      }
    }
    if (given == null || !edge.tokenMatches(given)) {
      HttpResponses.redirect(ex, "/login?error=1");
      return;
    }
    if (!COOKIE_SAFE.matcher(token).matches()) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "the token cannot be stored in a cookie: it has spaces,"
          + " quotes, commas, semicolons or backslashes; use a bearer header or a simpler token");
      return;
    }
    ex.getResponseHeaders().add("Set-Cookie", HttpEdge.loginCookie(token));
    // Only app-internal fragments: the login form must not become an open redirect.
    HttpResponses.redirect(ex, next != null && NEXT.matcher(next).matches() ? "/" + next : "/");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
