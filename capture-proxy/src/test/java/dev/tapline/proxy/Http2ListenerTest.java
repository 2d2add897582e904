package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on the listener with real clients on loopback: the JDK's {@code HttpClient} over TLS (ALPN
 * h2, and http/1.1 on the same port), Netty's own client for h2c by prior knowledge and for frames
 * no well-behaved client sends. Responses, captures (protocol, scheme, bodies) and the HTTP/2
 * counterparts of the HTTP/1.1 framing rules.
 */
class Http2ListenerTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static TestUpstream upstream;
  static final List<Exchange> seen = new CopyOnWriteArrayList<>();
  static CaptureProxy tls;
  static CaptureProxy plain;
  static HttpClient h2;
  static HttpClient h1;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.make(dir, "proxy", "SAN=ip:127.0.0.1,dns:localhost");
    upstream = TestUpstream.start("baseline");
    tls = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .tls(certs.pem(), certs.keyPem()).capture(CapturePolicy.ALL).sink(ExchangeSink.custom(seen::add)).build());
    plain = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(seen::add)).build());
    h2 = HttpClient.newBuilder().sslContext(certs.clientContext()).version(HttpClient.Version.HTTP_2).build();
    h1 = HttpClient.newBuilder().sslContext(certs.clientContext()).version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    h2.close();
    h1.close();
    tls.close();
    plain.close();
    upstream.close();
  }

  @Test
  void h2OverTlsIsForwardedAndCapturedLikeHttp11() throws Exception {
    assertThat(tls.uri().getScheme()).isEqualTo("https");
    HttpResponse<String> r = h2.send(HttpRequest.newBuilder(tls.uri().resolve("/orders/7?x=1"))
        .header("content-type", "application/json").header("x-trace", "h2-post")
        .POST(HttpRequest.BodyPublishers.ofString("{\"qty\":2}")).build(), BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("via")).hasValue("1.1 tapline");
    JsonNode echo = TestUpstream.JSON.readTree(r.body());
    assertThat(echo.path("method").asText()).isEqualTo("POST");
    assertThat(echo.path("path").asText()).isEqualTo("/orders/7");
    assertThat(echo.path("query").asText()).isEqualTo("x=1");
    assertThat(echo.path("body").asText()).isEqualTo("{\"qty\":2}");
    JsonNode headers = echo.path("headers");
    assertThat(headers.path("host").get(0).asText()).isEqualTo("127.0.0.1:" + tls.port());
    assertThat(headers.path("x-forwarded-proto").get(0).asText()).isEqualTo("https");
    assertThat(headers.fieldNames()).toIterable().noneMatch(n -> n.startsWith("x-http2"));

    Exchange e = captured("h2-post");
    assertThat(e.protocol()).isEqualTo(Exchange.HTTP_2);
    assertThat(e.request().scheme()).isEqualTo("https");
    assertThat(e.request().authority()).isEqualTo("127.0.0.1:" + tls.port());
    assertThat(e.request().path()).isEqualTo("/orders/7");
    assertThat(e.request().rawQuery()).isEqualTo("x=1");
    assertThat(new String(e.request().body().bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"qty\":2}");
    assertThat(e.status()).isEqualTo(200);
    assertThat(new String(e.response().body().bytes(), StandardCharsets.UTF_8)).contains("\"/orders/7\"");
    assertThat(e.request().headers().names()).noneMatch(n -> n.startsWith("x-http2"));
  }

  @Test
  void http11StaysOnTheTlsListenerAndManyH2StreamsShareOneConnection() throws Exception {
    HttpResponse<String> r = h1.send(HttpRequest.newBuilder(tls.uri().resolve("/h1")).header("x-trace", "tls-h1").build(),
        BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.statusCode()).isEqualTo(200);
    Exchange e = captured("tls-h1");
    assertThat(e.protocol()).isEqualTo("HTTP/1.1");
    assertThat(e.request().scheme()).isEqualTo("https");

    var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
    for (int i = 0; i < 20; i++) {
      futures.add(h2.sendAsync(HttpRequest.newBuilder(tls.uri().resolve("/many/" + i)).build(), BodyHandlers.ofString()));
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> each = futures.get(i).get(10, TimeUnit.SECONDS);
      assertThat(each.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(TestUpstream.JSON.readTree(each.body()).path("path").asText()).as(each.body()).isEqualTo("/many/" + i);
    }
  }

  @Test
  void h2cByPriorKnowledgeOnThePlainListenerBesideHttp11() throws Exception {
    try (H2Client c = new H2Client(plain.uri())) {
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/items/3",
          Unpooled.copiedBuffer("hello h2c", StandardCharsets.UTF_8));
      req.headers().set("host", "127.0.0.1:" + plain.port()).set("x-trace", "h2c-put").set("content-type", "text/plain");
      FullHttpResponse r = c.send(req);
      try {
        assertThat(r.status().code()).isEqualTo(200);
        JsonNode echo = TestUpstream.JSON.readTree(r.content().toString(StandardCharsets.UTF_8));
        assertThat(echo.path("body").asText()).isEqualTo("hello h2c");
        assertThat(echo.path("headers").path("x-forwarded-proto").get(0).asText()).isEqualTo("http");
      } finally {
        r.release();
      }
    }
    Exchange e = captured("h2c-put");
    assertThat(e.protocol()).isEqualTo(Exchange.HTTP_2);
    assertThat(e.request().scheme()).isEqualTo("http");
    assertThat(new String(e.request().body().bytes(), StandardCharsets.UTF_8)).isEqualTo("hello h2c");

    HttpClient plainClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = plainClient.send(HttpRequest.newBuilder(plain.uri().resolve("/still-h1"))
        .header("x-trace", "plain-h1").build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(captured("plain-h1").protocol()).isEqualTo("HTTP/1.1");
    plainClient.close();
  }

  @Test
  void requestsHttp2CannotFrameSafelyAreRefusedOnTheirStreamOnly() throws Exception {
    try (H2Client c = new H2Client(plain.uri())) {
      // :authority and Host naming different hosts: which one would the upstream believe?
      assertThat(c.raw(get("/x").add("host", "other.example"), "").resetCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
      // The same host twice is one Host upstream.
      assertThat(c.raw(get("/same").add("host", "127.0.0.1:" + plain.port()), "").status()).isEqualTo("200");
      // Connection-specific headers have no place in HTTP/2 (RFC 9113 section 8.2.2).
      assertThat(c.raw(get("/x").add("transfer-encoding", "chunked"), "").resetCode())
          .isEqualTo(Http2Error.PROTOCOL_ERROR.code());
      assertThat(c.raw(get("/x").add("connection", "close"), "").resetCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
      // A value that would split into two headers on an HTTP/1.1 upstream.
      assertThat(c.raw(get("/x").add("x-a", "1\r\nx-injected: 2"), "").resetCode())
          .isEqualTo(Http2Error.PROTOCOL_ERROR.code());
      // A body longer than its content-length (RFC 9113 section 8.1.1).
      Http2Headers post = get("/x").method("POST").add("content-length", "3");
      assertThat(c.raw(post, "more than three").resetCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
      // CONNECT: not a tunnel, as on HTTP/1.1.
      H2Client.Raw connect = c.raw(new DefaultHttp2Headers().method("CONNECT").authority("example.com:443"), "");
      assertThat(connect.status()).isEqualTo("501");
      // An over-long :path is a 414, as an over-long request line is.
      assertThat(c.raw(get("/" + "a".repeat(9000)), "").status()).isEqualTo("414");
      // None of those reached the upstream, and the connection still serves.
      assertThat(c.raw(get("/after"), "").status()).isEqualTo("200");
      assertThat(c.isOpen()).isTrue();
    }
    assertThat(upstream.received).noneMatch(m -> "/x".equals(m.get("path")));
  }

  @Test
  void thePrefaceFollowedByHttp11IsAConnectionErrorNotARequest() throws Exception {
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", plain.port())) {
      sock.setSoTimeout(10_000);
      sock.getOutputStream().write(("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
          + "GET /smuggled HTTP/1.1\r\nHost: shop.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] all = sock.getInputStream().readAllBytes(); // the proxy's SETTINGS, GOAWAY, then the close
      assertThat(new String(all, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
    }
    assertThat(upstream.received).noneMatch(m -> "/smuggled".equals(m.get("path")));
  }

  @Test
  void aBodilessResponseEndsTheStreamWithItsHeaders() throws Exception {
    try (H2Client c = new H2Client(plain.uri())) {
      H2Client.Raw head = c.raw(get("/download?size=10").method("HEAD"), "");
      assertThat(head.status()).as(head.body()).isEqualTo("200");
      assertThat(head.headers()).hasSize(1);
      assertThat(head.body()).isEmpty();
      assertThat(head.resetCode()).isEqualTo(-1);
    }
  }

  private Http2Headers get(String path) {
    return new DefaultHttp2Headers(false).method("GET").scheme("http").path(path).authority("127.0.0.1:" + plain.port());
  }

  private static Exchange captured(String trace) {
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(e -> trace.equals(e.request().headers().first("x-trace"))));
    return seen.stream().filter(e -> trace.equals(e.request().headers().first("x-trace"))).findFirst().orElseThrow();
  }

  static URI uri(CaptureProxy p, String path) {
    return p.uri().resolve(path);
  }
}
