package dev.tapline.core.http;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of every Tapline HTTP server on the JDK's {@code HttpServer} (the recorder's API, the
 * UI, the proxy's admin port): security headers on every answer, the {@code Host} check, the one
 * token check with its throttle, and a guard that turns a bug into a JSON {@code 500} instead of a
 * dropped connection.
 *
 * <pre>{@code
 * HttpEdge edge = HttpEdge.token(token).allowHosts(Set.of("tapline.internal"));   // token may be null
 * server.createContext("/api/x", handler).getFilters().add(edge.gate());
 * server.createContext("/healthz", handler).getFilters().add(edge.open());
 * }</pre>
 *
 * <ul>
 *   <li><b>Length.</b> A request target (path and query) longer than {@value #MAX_REQUEST_TARGET}
 *       characters is {@code 414 too_long}. Servers made with {@link #createServer} read requests up
 *       to {@value #MAX_REQUEST_HEAD} bytes, so a query string of a megabyte gets that answer rather
 *       than a connection the JDK closes without one.
 *   <li><b>Host.</b> A server bound to loopback answers only requests whose {@code Host} names it:
 *       {@code localhost}, a loopback address, the address it is bound to, or a name given with
 *       {@link #allowHosts}. Anything else is {@code 421 misdirected_request}: a web page that
 *       rebinds its own DNS name to 127.0.0.1 cannot reach the API. A server bound to another
 *       address checks only when names are given.
 *   <li><b>Origin</b> (with {@link #checkOrigin()}). A request whose {@code Origin} names another site
 *       than this server is {@code 403 forbidden}: a page elsewhere cannot drive the server from a
 *       browser. Allowed are no {@code Origin} at all (not a browser), the server's own {@code Host},
 *       the names given with {@link #allowHosts}, and on loopback {@code localhost} and loopback
 *       addresses. For servers no web page of another site has any business calling (the MCP endpoint).
 *   <li><b>Token.</b> A request carries the token as {@code Authorization: Bearer TOKEN}, or carries
 *       the session cookie {@value #TOKEN_COOKIE} that {@link #loginCookie()} makes after a login: an
 *       HMAC of an expiry keyed with the token, never the token itself. Without either, an API call
 *       gets {@code 401 unauthorized} with {@code WWW-Authenticate: Bearer}; a browser asking for a
 *       page is sent to {@code /login} when the server has one. Comparisons take constant time.
 *   <li><b>Throttle.</b> After {@value #FREE_FAILURES} wrong or missing tokens from one address
 *       within a minute, that address gets {@code 429 too_many_requests} with {@code Retry-After}
 *       until the minute is over, without the token being checked: guessing costs a minute per
 *       handful of guesses.
 * </ul>
 */
public final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  /** The cookie that carries a login session for browsers. */
  public static final String TOKEN_COOKIE = "tapline_session";
  /** How long a login lasts. */
  public static final Duration SESSION = Duration.ofHours(12);
  /** Wrong tokens one address may send per {@link #FAILURE_WINDOW} before it is throttled. */
  static final int FREE_FAILURES = 20;
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

  /** Longest request target (path and query, as sent) answered; a longer one is {@code 414 too_long}. */
  public static final int MAX_REQUEST_TARGET = 32 * 1024;
  /**
   * The request line and header size up to which the JDK's server reads a request, set as {@code
   * sun.net.httpserver.maxReqHeaderSize} by {@link #createServer} unless it is set already. The
   * JDK's own default (380 KiB) is below a 1 MB query string, and past its limit the JDK closes the
   * connection without an answer: raised, such a request reaches the edge and gets a JSON {@code
   * 414}. A request past this limit still gets a closed connection.
   */
  public static final int MAX_REQUEST_HEAD = 4 * 1024 * 1024;
  static final String JDK_HEAD_LIMIT = "sun.net.httpserver.maxReqHeaderSize";

  /** The Content-Security-Policy of every answer: nothing inline, nothing from elsewhere. */
  public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final @Nullable String token;
  private final boolean loginPage;
  private final Set<String> hosts;
  private final Clock clock;
  private final Failures failures;
  private final boolean originChecked;

  private HttpEdge(@Nullable String token, boolean loginPage, Set<String> hosts, Clock clock, Failures failures,
      boolean originChecked) {
    this.token = token;
    this.loginPage = loginPage;
    this.hosts = hosts;
    this.clock = clock;
    this.failures = failures;
    this.originChecked = originChecked;
  }

  /** An edge that requires {@code token} on gated paths; null or empty: none required. */
  public static HttpEdge token(@Nullable String token) {
    return new HttpEdge(token == null || token.isEmpty() ? null : token, false, Set.of(), Clock.systemUTC(),
        new Failures(), false);
  }

  /** The same edge, sending browsers that lack the token to {@code /login}. */
  public HttpEdge withLoginPage() {
    return new HttpEdge(token, true, hosts, clock, failures, originChecked);
  }

  /**
   * The same edge, also answering {@code 403 forbidden} to a request whose {@code Origin} is another
   * site's (checked after the Host, before the token).
   */
  public HttpEdge checkOrigin() {
    return new HttpEdge(token, loginPage, hosts, clock, failures, true);
  }

  /**
   * The same edge, also answering requests whose {@code Host} is one of {@code names} (host names
   * without port, e.g. the name a reverse proxy or a tunnel uses); any case.
   */
  public HttpEdge allowHosts(Set<String> names) {
    Set<String> all = new LinkedHashSet<>(hosts);
    for (String n : requireNonNull(names, "names")) {
      String h = n.trim().toLowerCase(Locale.ROOT);
      if (h.isEmpty() || h.contains("/") || h.contains(" ")) {
        throw new IllegalArgumentException("allowed host must be a host name such as tapline.internal: '" + n + "'");
      }
      all.add(h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h);
    }
    return new HttpEdge(token, loginPage, Set.copyOf(all), clock, failures, originChecked);
  }

  HttpEdge withClock(Clock c) {
    return new HttpEdge(token, loginPage, hosts, c, failures, originChecked);
  }

  /**
   * A JDK {@code HttpServer} on {@code address} that reads request lines and headers up to {@link
   * #MAX_REQUEST_HEAD} (see {@link #readLongRequests()}); put {@link #gate()} or {@link #open()} on
   * each of its contexts.
   */
  public static HttpServer createServer(InetSocketAddress address, int backlog) throws IOException {
    readLongRequests();
    return HttpServer.create(address, backlog);
  }

  /**
   * Raises the JDK server's request head limit to {@link #MAX_REQUEST_HEAD} unless the property is
   * set already. The JDK reads it once, when the first server of the process is created: a program
   * that starts other JDK servers first (a demo service) calls this before them.
   */
  public static void readLongRequests() {
    if (System.getProperty(JDK_HEAD_LIMIT) == null) {
      System.setProperty(JDK_HEAD_LIMIT, Integer.toString(MAX_REQUEST_HEAD));
    }
  }

  /** Whether a token is required at all. */
  public boolean requiresToken() {
    return token != null;
  }

  /** Security headers, the Host check and the token check. */
  public Filter gate() {
    return new EdgeFilter(true);
  }

  /** Security headers and the Host check only: for paths anyone may call ({@code /healthz}, assets, login). */
  public Filter open() {
    return new EdgeFilter(false);
  }

  /** True when no token is required or {@code candidate} is the token (constant-time). */
  public boolean tokenMatches(@Nullable String candidate) {
    return token == null || (candidate != null && same(candidate, token));
  }

  /** True when the request carries the token or a valid session cookie (or none is required). */
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
        if (c.startsWith(TOKEN_COOKIE + "=") && validSession(c.substring(TOKEN_COOKIE.length() + 1))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A {@code Set-Cookie} value for a browser that just proved it knows the token: a session that
   * lasts {@link #SESSION}, {@code HttpOnly}, {@code SameSite=Strict}, signed with the token.
   *
   * @throws IllegalStateException when no token is required (there is nothing to log in to)
   */
  public String loginCookie() {
    if (token == null) {
      throw new IllegalStateException("no token is required: there is no session to start");
    }
    long expires = clock.instant().plus(SESSION).getEpochSecond();
    return TOKEN_COOKIE + "=" + sessionValue(expires) + "; Path=/; Max-Age=" + SESSION.toSeconds()
        + "; HttpOnly; SameSite=Strict";
  }

  private String sessionValue(long expiresEpochSecond) {
    return "v1." + expiresEpochSecond + "." + mac(Long.toString(expiresEpochSecond));
  }

  private boolean validSession(String value) {
    String[] parts = value.split("\\.", -1);
    if (parts.length != 3 || !parts[0].equals("v1")) {
      return false;
    }
    long expires;
    try {
      expires = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    boolean signed = MessageDigest.isEqual(mac(parts[1]).getBytes(StandardCharsets.US_ASCII),
        parts[2].getBytes(StandardCharsets.US_ASCII));
    return signed && expires > clock.instant().getEpochSecond();
  }

  private String mac(String expires) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(("tapline-session:" + token).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(m.doFinal(expires.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** What a login attempt came to. */
  public enum Login {
    /** The token was right: set {@link #loginCookie()}. */
    ACCEPTED,
    /** The token was wrong (the failure was counted). */
    REJECTED,
    /** Too many wrong tokens from this address lately: the token was not even compared. */
    THROTTLED
  }

  /** Checks a token submitted by a login form, with the same per-address throttle as the gate. */
  public Login login(HttpExchange ex, @Nullable String given) {
    String client = clientOf(ex);
    long now = clock.millis();
    if (failures.blockedFor(client, now) > 0) {
      return Login.THROTTLED;
    }
    if (given != null && tokenMatches(given)) {
      return Login.ACCEPTED;
    }
    failures.failed(client, now);
    return Login.REJECTED;
  }

  /** Sets the security headers every answer carries. */
  public static void secure(HttpExchange ex) {
    Headers h = ex.getResponseHeaders();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
  }

  /**
   * Whether {@code Host} names this server: always true off loopback unless names were given; on
   * loopback, {@code localhost}, a loopback address, the bound address or an allowed name.
   */
  boolean hostAllowed(HttpExchange ex) {
    InetSocketAddress local = ex.getLocalAddress();
    InetAddress bound = local == null ? null : local.getAddress();
    boolean loopback = bound == null || bound.isLoopbackAddress();
    if (!loopback && hosts.isEmpty()) {
      return true;
    }
    List<String> values = ex.getRequestHeaders().getOrDefault("Host", List.of());
    if (values.size() != 1) {
      return values.isEmpty() && loopback; // HTTP/1.0 without Host reaches only a loopback server
    }
    String host = hostPart(values.get(0));
    if (host == null) {
      return false;
    }
    if (hosts.contains(host)) {
      return true;
    }
    if (!loopback) {
      return false;
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    if (bound != null && host.equals(bound.getHostAddress().toLowerCase(Locale.ROOT))) {
      return true;
    }
    return isLoopbackLiteral(host);
  }

  /**
   * Whether {@code Origin} is absent or names this server: the host of the request's own {@code
   * Host}, an allowed name, or on loopback a local name. {@code Origin: null} (a sandboxed or
   * file page) is foreign.
   */
  boolean originAllowed(HttpExchange ex) {
    List<String> values = ex.getRequestHeaders().getOrDefault("Origin", List.of());
    if (values.isEmpty()) {
      return true;
    }
    if (values.size() > 1) {
      return false;
    }
    String origin = values.get(0).trim().toLowerCase(Locale.ROOT);
    int scheme = origin.indexOf("://");
    if (scheme <= 0) {
      return false;
    }
    String authority = origin.substring(scheme + 3);
    int slash = authority.indexOf('/');
    String host = hostPart(slash < 0 ? authority : authority.substring(0, slash));
    if (host == null || host.isEmpty()) {
      return false;
    }
    String own = ex.getRequestHeaders().getFirst("Host");
    if (hosts.contains(host) || (own != null && host.equals(hostPart(own)))) {
      return true;
    }
    InetSocketAddress local = ex.getLocalAddress();
    InetAddress bound = local == null ? null : local.getAddress();
    if (bound != null && !bound.isLoopbackAddress()) {
      return false;
    }
    return host.equals("localhost") || host.endsWith(".localhost") || isLoopbackLiteral(host)
        || (bound != null && host.equals(bound.getHostAddress().toLowerCase(Locale.ROOT)));
  }

  /** The host of a {@code Host} value, lower case, without port or IPv6 brackets; null when malformed. */
  static @Nullable String hostPart(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.isEmpty()) {
      return null;
    }
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      return end < 0 ? null : v.substring(1, end);
    }
    int colon = v.indexOf(':');
    return colon < 0 ? v : v.substring(0, colon);
  }

  private static boolean isLoopbackLiteral(String host) {
    if (host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    // 127.x.y.z written as a dotted quad; a name is never resolved here.
    String[] p = host.split("\\.", -1);
    if (p.length != 4 || !p[0].equals("127")) {
      return false;
    }
    for (String part : p) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A handler whose exceptions become answers when nothing was sent yet: a {@link
   * BadRequestException} is {@code 400 bad_request}, anything else {@code 500 internal_error}.
   */
  public static HttpHandler guarded(Handler h) {
    return ex -> {
      try {
        h.handle(ex);
      } catch (IOException e) {
        LOG.debug("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      } catch (BadRequestException e) {
        if (ex.getResponseCode() == -1) {
          try {
            HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, String.valueOf(e.getMessage()));
          } catch (IOException ignored) {
            // the client is gone
          }
        }
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
      int target = ex.getRequestURI().toString().length();
      if (target > MAX_REQUEST_TARGET) {
        try {
          HttpResponses.error(ex, 414, ErrorCode.TOO_LONG, "the request target (path and query) is " + target
              + " characters long; this server reads at most " + MAX_REQUEST_TARGET + ": send a shorter query");
        } finally {
          ex.close();
        }
        return;
      }
      if (!hostAllowed(ex)) {
        try {
          List<String> h = ex.getRequestHeaders().getOrDefault("Host", List.of());
          if (h.size() > 1) {
            HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "more than one Host header");
          } else {
            HttpResponses.error(ex, 421, ErrorCode.MISDIRECTED_REQUEST, "this server does not answer for Host '"
                + (h.isEmpty() ? "" : h.get(0)) + "'; it answers for its own address, localhost, or names given"
                + " with --allowed-host");
          }
        } finally {
          ex.close();
        }
        return;
      }
      if (originChecked && !originAllowed(ex)) {
        try {
          HttpResponses.error(ex, 403, ErrorCode.FORBIDDEN, "this server does not answer pages of Origin '"
              + String.join(", ", ex.getRequestHeaders().getOrDefault("Origin", List.of())) + "'; it answers clients"
              + " without an Origin, its own pages, localhost, or names given with --allowed-host");
        } finally {
          ex.close();
        }
        return;
      }
      if (gated && token != null) {
        String client = clientOf(ex);
        long now = clock.millis();
        long retryAfter = failures.blockedFor(client, now);
        if (retryAfter > 0) {
          try {
            ex.getResponseHeaders().set("Retry-After", Long.toString((retryAfter + 999) / 1000));
            HttpResponses.error(ex, 429, ErrorCode.TOO_MANY_REQUESTS,
                "too many requests without the right token from " + client + "; try again in "
                    + ((retryAfter + 999) / 1000) + " s");
          } finally {
            ex.close();
          }
          return;
        }
        if (!authorized(ex)) {
          failures.failed(client, now);
          try {
            if (loginPage && wantsPage(ex)) {
              HttpResponses.redirect(ex, "/login");
            } else {
              ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tapline\"");
              HttpResponses.error(ex, 401, ErrorCode.UNAUTHORIZED,
                  "this server needs a token: send 'Authorization: Bearer TOKEN' (or log in at /login in a browser)");
            }
          } finally {
            ex.close();
          }
          return;
        }
      }
      chain.doFilter(ex);
    }

    @Override
    public String description() {
      String origin = originChecked ? ", Origin" : "";
      return gated ? "tapline security headers, Host" + origin + " and token check"
          : "tapline security headers, Host" + origin + " check";
    }
  }

  private static String clientOf(HttpExchange ex) {
    InetSocketAddress remote = ex.getRemoteAddress();
    return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
  }

  /** A browser navigating to a page (not a script calling the API). */
  private static boolean wantsPage(HttpExchange ex) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return ex.getRequestMethod().equals("GET")
        && accept != null && accept.contains("text/html")
        && !ex.getRequestURI().getRawPath().startsWith("/api/");
  }

  /**
   * Wrong or missing tokens per client address in the current minute. Bounded: when more addresses
   * than it holds have failed, the oldest windows are dropped.
   */
  static final class Failures {
    private static final int MAX_CLIENTS = 4096;
    private final ConcurrentHashMap<String, long[]> byClient = new ConcurrentHashMap<>();

    /** Milliseconds the client must still wait, 0 when it may try. */
    long blockedFor(String client, long now) {
      long[] w = byClient.get(client);
      if (w == null) {
        return 0;
      }
      synchronized (w) {
        long end = w[0] + FAILURE_WINDOW.toMillis();
        if (now >= end) {
          return 0;
        }
        return w[1] >= FREE_FAILURES ? end - now : 0;
      }
    }

    void failed(String client, long now) {
      if (byClient.size() >= MAX_CLIENTS) {
        byClient.entrySet().removeIf(e -> now - e.getValue()[0] >= FAILURE_WINDOW.toMillis());
        if (byClient.size() >= MAX_CLIENTS) {
          byClient.clear();
        }
      }
      long[] w = byClient.computeIfAbsent(client, k -> new long[] {now, 0});
      synchronized (w) {
        if (now - w[0] >= FAILURE_WINDOW.toMillis()) {
          w[0] = now;
          w[1] = 0;
        }
        w[1]++;
      }
    }
  }
}
