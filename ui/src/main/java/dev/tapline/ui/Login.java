package dev.tapline.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /login} shows the sign-in form; {@code POST /login} checks the token (throttled per
 * address like every token check) and sets a session cookie derived from it (HMAC of an expiry,
 * HttpOnly, SameSite=Strict; never the token itself), which the recorder accepts in place of a
 * bearer header (the browser's EventSource cannot send headers).
 */
final class Login implements HttpHandler {
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
    switch (edge.login(ex, given)) {
      case THROTTLED -> {
        HttpResponses.redirect(ex, "/login?error=throttled");
        return;
      }
      case REJECTED -> {
        HttpResponses.redirect(ex, "/login?error=1");
        return;
      }
      case ACCEPTED -> { }
    }
    ex.getResponseHeaders().add("Set-Cookie", edge.loginCookie());
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
