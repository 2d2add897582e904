package dev.tapline.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.recorder.Recorder;
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

  Login(@Nullable String token) {
    this.token = token;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestURI().getPath().equals("/login")) {
        Http.error(ex, 404, "not found", "no page at " + ex.getRequestURI().getPath());
        return;
      }
      switch (ex.getRequestMethod()) {
        case "GET", "HEAD" -> page(ex);
        case "POST" -> submit(ex);
        default -> Http.methodNotAllowed(ex, "GET, POST");
      }
    } finally {
      ex.close();
    }
  }

  private void page(HttpExchange ex) throws IOException {
    if (token == null) {
      Http.redirect(ex, "/");
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    Http.send(ex, 200, "text/html; charset=utf-8", StaticAssets.bytes("login.html"));
  }

  private void submit(HttpExchange ex) throws IOException {
    if (token == null) {
      Http.redirect(ex, "/");
      return;
    }
    byte[] body = Http.body(ex, 16 * 1024);
    if (body == null) {
      Http.error(ex, 413, "login form too large", "POST /login takes a form with one field, token");
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
    if (given == null || !Http.same(given, token)) {
      Http.redirect(ex, "/login?error=1");
      return;
    }
    if (!COOKIE_SAFE.matcher(token).matches()) {
      Http.error(ex, 400, "token cannot be stored in a cookie",
          "the configured token has spaces, quotes, commas, semicolons or backslashes; use a bearer header or a simpler token");
      return;
    }
    ex.getResponseHeaders().add("Set-Cookie", Recorder.loginCookie(token));
    // Only app-internal fragments: the login form must not become an open redirect.
    Http.redirect(ex, next != null && NEXT.matcher(next).matches() ? "/" + next : "/");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
