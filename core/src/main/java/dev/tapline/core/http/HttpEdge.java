package dev.tapline.core.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of every Tapline HTTP server on the JDK's {@code HttpServer} (the recorder's API, the
 * UI, the proxy's admin port): security headers on every answer, the one token check, and a guard
 * that turns a bug into a JSON {@code 500} instead of a dropped connection.
 *
 * <pre>{@code
 * HttpEdge edge = HttpEdge.token(token);                   // null: no token required
 * server.createContext("/api/x", handler).getFilters().add(edge.gate());
 * server.createContext("/healthz", handler).getFilters().add(edge.open());
 * }</pre>
 *
 * <p>A request carries the token as {@code Authorization: Bearer TOKEN} or as the cookie {@value
 * #TOKEN_COOKIE} (browsers: the login page sets it). Without it, an API call gets {@code 401
 * unauthorized} with {@code WWW-Authenticate: Bearer}; a browser asking for a page is sent to
 * {@code /login} when the server has one.
 */
public final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  /** The cookie that carries the token for browsers. */
  public static final String TOKEN_COOKIE = "tapline_token";

  /** The Content-Security-Policy of every answer: nothing inline, nothing from elsewhere. */
  public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final @Nullable String token;
  private final boolean loginPage;

  private HttpEdge(@Nullable String token, boolean loginPage) {
    this.token = token;
    this.loginPage = loginPage;
  }

  /** An edge that requires {@code token} on gated paths; null or empty: none required. */
  public static HttpEdge token(@Nullable String token) {
    return new HttpEdge(token == null || token.isEmpty() ? null : token, false);
  }

  /** The same edge, sending browsers that lack the token to {@code /login}. */
  public HttpEdge withLoginPage() {
    return new HttpEdge(token, true);
  }

  /** Whether a token is required at all. */
  public boolean requiresToken() {
    return token != null;
  }

  /** Security headers and the token check. */
  public Filter gate() {
    return new EdgeFilter(true);
  }

  /** Security headers only: for paths anyone may call ({@code /healthz}, assets, the login page). */
  public Filter open() {
    return new EdgeFilter(false);
  }

  /** True when no token is required or {@code candidate} is the token (constant-time). */
  public boolean tokenMatches(@Nullable String candidate) {
    return token == null || (candidate != null && same(candidate, token));
  }

  /** True when the request carries the token (or none is required). */
  public boolean authorized(HttpExchange ex) {
    if (token == null) {
      return true;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim(), token)) {
      return true;
    }
    for (String cookieHeader : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String part : cookieHeader.split(";")) {
        String c = part.trim();
        if (c.startsWith(TOKEN_COOKIE + "=") && same(c.substring(TOKEN_COOKIE.length() + 1), token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A {@code Set-Cookie} value that makes a browser send {@code token} on every request. */
  public static String loginCookie(String token) {
    return TOKEN_COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
  }

  /** Sets the security headers every answer carries. */
  public static void secure(HttpExchange ex) {
    Headers h = ex.getResponseHeaders();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
  }

  /** A handler whose exceptions become answers: 500 {@code internal_error} when nothing was sent yet. */
  public static HttpHandler guarded(Handler h) {
    return ex -> {
      try {
        h.handle(ex);
      } catch (IOException e) {
        LOG.debug("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
        if (ex.getResponseCode() == -1) {
          try {
            HttpResponses.error(ex, 500, ErrorCode.INTERNAL_ERROR, String.valueOf(e.getMessage()));
          } catch (IOException ignored) {
            // the client is gone
          }
        }
      } finally {
        ex.close();
      }
    };
  }

  /** A handler that may throw: what {@link #guarded} wraps. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  /** Constant-time comparison: the time taken says nothing about how much of the token matched. */
  static boolean same(String given, String token) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  private final class EdgeFilter extends Filter {
    private final boolean gated;

    EdgeFilter(boolean gated) {
      this.gated = gated;
    }

    @Override
    public void doFilter(HttpExchange ex, Chain chain) throws IOException {
      secure(ex);
      if (gated && !authorized(ex)) {
        try {
          if (loginPage && wantsPage(ex)) {
            HttpResponses.redirect(ex, "/login");
          } else {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tapline\"");
            HttpResponses.error(ex, 401, ErrorCode.UNAUTHORIZED,
                "this server needs a token: send 'Authorization: Bearer TOKEN' or the cookie " + TOKEN_COOKIE + "=TOKEN");
          }
        } finally {
          ex.close();
        }
        return;
      }
      chain.doFilter(ex);
    }

    @Override
    public String description() {
      return gated ? "tapline security headers and token check" : "tapline security headers";
    }
  }

  /** A browser navigating to a page (not a script calling the API). */
  private static boolean wantsPage(HttpExchange ex) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return ex.getRequestMethod().equals("GET")
        && accept != null && accept.contains("text/html")
        && !ex.getRequestURI().getRawPath().startsWith("/api/");
  }
}
