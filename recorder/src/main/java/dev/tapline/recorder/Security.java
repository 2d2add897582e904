package dev.tapline.recorder;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/** Security headers on every response, and the optional bearer-token gate. */
final class Security extends Filter {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final @Nullable String token;
  private final boolean gate;
  private final boolean loginPage;

  /**
   * @param gate whether this context requires the token (when one is configured)
   * @param loginPage whether a {@code /login} page is mounted: a browser asking for a page without
   *     the token is sent there instead of getting a JSON 401
   */
  Security(@Nullable String token, boolean gate, boolean loginPage) {
    this.token = token;
    this.gate = gate;
    this.loginPage = loginPage;
  }

  @Override
  public void doFilter(HttpExchange ex, Chain chain) throws IOException {
    Headers h = ex.getResponseHeaders();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    if (gate && token != null && !authorized(ex, token)) {
      if (loginPage && wantsPage(ex)) {
        try {
          h.set("Location", "/login");
          h.set("Cache-Control", "no-store");
          ex.sendResponseHeaders(303, -1);
        } finally {
          ex.close();
        }
        return;
      }
      h.set("WWW-Authenticate", "Bearer realm=\"tapline\"");
      try {
        HttpIo.error(ex, 401, "unauthorized",
            "this recorder needs a token: send 'Authorization: Bearer TOKEN' or the cookie "
                + Recorder.TOKEN_COOKIE + "=TOKEN");
      } finally {
        ex.close();
      }
      return;
    }
    chain.doFilter(ex);
  }

  @Override
  public String description() {
    return "tapline security headers and token check";
  }

  /** A browser navigating to a page (not a script calling the API). */
  private static boolean wantsPage(HttpExchange ex) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return ex.getRequestMethod().equals("GET")
        && accept != null && accept.contains("text/html")
        && !ex.getRequestURI().getRawPath().startsWith("/api/");
  }

  static boolean authorized(HttpExchange ex, String token) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim(), token)) {
      return true;
    }
    for (String cookieHeader : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
      for (String part : cookieHeader.split(";")) {
        String c = part.trim();
        if (c.startsWith(Recorder.TOKEN_COOKIE + "=")
            && same(c.substring(Recorder.TOKEN_COOKIE.length() + 1), token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Constant-time comparison: the time taken says nothing about how much of the token matched. */
  static boolean same(String given, String token) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }
}
