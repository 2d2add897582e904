package dev.tapline.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpEdgeTest {
  private HttpServer server;

  private int serve(HttpEdge edge) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/api/x", HttpEdge.guarded(ex -> HttpResponses.json(ex, 200, java.util.Map.of("ok", true))))
        .getFilters().add(edge.gate());
    server.createContext("/healthz", HttpEdge.guarded(ex -> HttpResponses.json(ex, 200, java.util.Map.of("ok", true))))
        .getFilters().add(edge.open());
    server.createContext("/echo", HttpEdge.guarded(ex -> HttpResponses.json(ex, 200, HttpResponses.params(ex))))
        .getFilters().add(edge.open());
    server.start();
    return server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A raw HTTP/1.1 exchange, so the Host header is exactly what the test writes. */
  private static String raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String get(int port, String path, String host, String... headers) throws IOException {
    StringBuilder r = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    return raw(port, r.append("\r\n").toString());
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  @Test
  void anEdgeThatChecksOriginTurnsAwayOtherSitesPagesBeforeTheTokenCheck() throws IOException {
    int port = serve(HttpEdge.token("s3cret").allowHosts(Set.of("tapline.internal")).checkOrigin());
    String host = "127.0.0.1:" + port;
    String foreign = get(port, "/api/x", host, "Origin: https://evil.example", "Authorization: Bearer s3cret");
    assertThat(status(foreign)).isEqualTo(403);
    assertThat(foreign).contains("\"error\":\"forbidden\"", "evil.example", "Content-security-policy");
    assertThat(status(get(port, "/api/x", host, "Origin: null", "Authorization: Bearer s3cret"))).isEqualTo(403);
    assertThat(status(get(port, "/healthz", host, "Origin: http://localhost.evil.example"))).isEqualTo(403);
    assertThat(status(get(port, "/api/x", host, "Origin: https://evil.example"))).as("Origin before token").isEqualTo(403);
    assertThat(status(get(port, "/api/x", host, "Authorization: Bearer s3cret"))).as("no Origin").isEqualTo(200);
    for (String own : new String[] {"http://localhost:3000", "http://127.0.0.1:" + port, "http://[::1]:9",
        "https://tapline.internal", "http://app.localhost"}) {
      assertThat(status(get(port, "/api/x", host, "Origin: " + own, "Authorization: Bearer s3cret"))).as(own).isEqualTo(200);
    }
    assertThat(status(get(port, "/api/x", "evil.example", "Origin: http://evil.example"))).as("Host first").isEqualTo(421);
    assertThat(status(get(port, "/api/x", host, "Origin: http://localhost"))).as("then the token").isEqualTo(401);
  }

  @Test
  void anEdgeWithoutTheOriginCheckIgnoresOrigin() throws IOException {
    int port = serve(HttpEdge.token(null));
    assertThat(status(get(port, "/api/x", "127.0.0.1:" + port, "Origin: https://evil.example"))).isEqualTo(200);
  }

  @Test
  void aLoopbackServerAnswersOnlyForItsOwnNamesWhichClosesDnsRebinding() throws IOException {
    int port = serve(HttpEdge.token(null).allowHosts(Set.of("tapline.internal")));
    assertThat(status(get(port, "/healthz", "127.0.0.1:" + port))).isEqualTo(200);
    assertThat(status(get(port, "/healthz", "localhost:" + port))).isEqualTo(200);
    assertThat(status(get(port, "/healthz", "LOCALHOST"))).isEqualTo(200);
    assertThat(status(get(port, "/healthz", "[::1]:" + port))).isEqualTo(200);
    assertThat(status(get(port, "/api/x", "tapline.internal:443"))).isEqualTo(200);
    String evil = get(port, "/api/x", "evil.example:" + port);
    assertThat(status(evil)).isEqualTo(421);
    assertThat(evil).contains("\"error\":\"misdirected_request\"", "evil.example");
    assertThat(status(get(port, "/healthz", "127.0.0.1.evil.example"))).isEqualTo(421);
    String twice = raw(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertThat(status(twice)).isEqualTo(400);
  }

  @Test
  void theSessionCookieIsSignedWithTheTokenNeverTheTokenAndExpires() throws IOException {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now.get(); }
    };
    HttpEdge edge = HttpEdge.token("s3cret-token").withClock(clock);
    int port = serve(edge);
    String cookie = edge.loginCookie();
    assertThat(cookie).startsWith(HttpEdge.TOKEN_COOKIE + "=v1.").contains("HttpOnly", "SameSite=Strict")
        .doesNotContain("s3cret-token");
    String session = cookie.substring(0, cookie.indexOf(';'));
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Cookie: a=b; " + session))).isEqualTo(200);
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Cookie: " + HttpEdge.TOKEN_COOKIE + "=s3cret-token"))).isEqualTo(401);
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Cookie: " + session + "0"))).isEqualTo(401);
    // A session of another token is not one of this server's.
    String other = HttpEdge.token("other").withClock(clock).loginCookie();
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Cookie: " + other.substring(0, other.indexOf(';'))))).isEqualTo(401);
    now.set(now.get().plus(HttpEdge.SESSION).plusSeconds(1));
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Cookie: " + session))).as("expired").isEqualTo(401);
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Authorization: Bearer s3cret-token"))).isEqualTo(200);
  }

  @Test
  void repeatedWrongTokensFromOneAddressAreThrottledWithoutComparingTheToken() throws IOException {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now.get(); }
    };
    HttpEdge edge = HttpEdge.token("right").withClock(clock);
    int port = serve(edge);
    int unauthorized = 0;
    int throttled = 0;
    String last = "";
    for (int i = 0; i < 60; i++) {
      last = get(port, "/api/x", "127.0.0.1", "Authorization: Bearer guess-" + i);
      switch (status(last)) {
        case 401 -> unauthorized++;
        case 429 -> throttled++;
        default -> throw new AssertionError(last);
      }
    }
    assertThat(unauthorized).isEqualTo(HttpEdge.FREE_FAILURES);
    assertThat(throttled).isEqualTo(60 - HttpEdge.FREE_FAILURES);
    assertThat(last).containsIgnoringCase("Retry-After: 60").contains("\"error\":\"too_many_requests\"");
    // While throttled even the right token is not looked at: a guess cannot be confirmed.
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Authorization: Bearer right"))).isEqualTo(429);
    assertThat(status(get(port, "/healthz", "127.0.0.1"))).as("open paths stay open").isEqualTo(200);
    now.set(now.get().plus(Duration.ofMinutes(1)));
    assertThat(status(get(port, "/api/x", "127.0.0.1", "Authorization: Bearer right"))).isEqualTo(200);
  }

  @Test
  void aParameterWhoseEscapesAreNotUtf8IsAJson400NamingItNotPassedOnGarbled() throws IOException {
    int port = serve(HttpEdge.token(null));
    String ok = get(port, "/echo?q=caf%C3%A9+au+lait&n=1", "127.0.0.1");
    assertThat(status(ok)).isEqualTo(200);
    assertThat(new String(ok.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
        .contains("{\"q\":\"caf\u00e9 au lait\",\"n\":\"1\"}");
    String bad = get(port, "/echo?n=1&q=abc%FF", "127.0.0.1");
    assertThat(status(bad)).isEqualTo(400);
    assertThat(bad).contains("\"error\":\"bad_request\"", "query parameter 'q'", "%FF", "not UTF-8");
    String badName = get(port, "/echo?%C3=1", "127.0.0.1");
    assertThat(status(badName)).isEqualTo(400);
    assertThat(badName).contains("a query parameter name");
    // A % without two hex digits never reaches a handler: the JDK's server refuses the URI itself.
    assertThat(status(get(port, "/echo?q=%ZZ", "127.0.0.1"))).isEqualTo(400);
  }

  @Test
  void percentDecodingIsStrictAboutEscapes() {
    assertThat(HttpResponses.decode("a+b%20c%2B", "q")).isEqualTo("a b c+");
    assertThat(HttpResponses.decode("%E2%82%AC", "q")).isEqualTo("\u20ac");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpResponses.decode("100%", "q"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("'%'").hasMessageContaining("%25");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpResponses.decode("a%ZZ", "q"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("'%ZZ' at character 1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpResponses.decode("%E2%82", "q"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("not UTF-8");
  }

  @Test
  void aRequestTargetLongerThanTheEdgeReadsIsAJson414() throws IOException {
    int port = serve(HttpEdge.token("t"));
    String target = "/api/x?q=" + "a".repeat(HttpEdge.MAX_REQUEST_TARGET);
    String r = get(port, target, "127.0.0.1");
    assertThat(status(r)).isEqualTo(414);
    assertThat(r).contains("\"error\":\"too_long\"", "at most " + HttpEdge.MAX_REQUEST_TARGET)
        .containsIgnoringCase("Content-Type: application/json");
    String fits = get(port, "/api/x?q=" + "a".repeat(HttpEdge.MAX_REQUEST_TARGET - 20), "127.0.0.1",
        "Authorization: Bearer t");
    assertThat(status(fits)).isEqualTo(200);
  }
}
