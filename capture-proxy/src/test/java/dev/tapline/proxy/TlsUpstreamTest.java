package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tapline.core.Exchange;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code https://} upstreams: verified TLS to the upstream, plain HTTP to the client, captured as usual. */
class TlsUpstreamTest {
  @TempDir static Path dir;
  static HttpsServer good; // certificate for 127.0.0.1 and localhost
  static HttpsServer misnamed; // certificate for another host, signed by nobody the proxy trusts
  static Path goodCa;
  static Path misnamedCa;
  static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    TestCerts goodCerts = TestCerts.make(dir, "good", "SAN=ip:127.0.0.1,dns:localhost");
    good = server(goodCerts);
    goodCa = goodCerts.pem();
    TestCerts misnamedCerts = TestCerts.make(dir, "misnamed", "SAN=dns:other.example");
    misnamed = server(misnamedCerts);
    misnamedCa = misnamedCerts.pem();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    good.stop(0);
    misnamed.stop(0);
    http.close();
  }

  @Test
  void proxiesToAVerifiedHttpsUpstreamAndCapturesTheExchange() throws Exception {
    List<Exchange> seen = new CopyOnWriteArrayList<>();
    try (CaptureProxy proxy = start(uri(good), goodCa, seen)) {
      for (int i = 0; i < 2; i++) { // the second request reuses the pooled TLS connection
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/" + i))
            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}")).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = TestUpstream.JSON.readTree(r.body());
        assertThat(body.path("tls").asBoolean()).isTrue();
        assertThat(body.path("path").asText()).isEqualTo("/orders/" + i);
        assertThat(body.path("echo").asText()).isEqualTo("{\"n\":" + i + "}");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    }
    assertThat(seen).allSatisfy(e -> {
      assertThat(e.error()).isNull();
      assertThat(e.status()).isEqualTo(200);
      assertThat(new String(e.response().body().bytes(), StandardCharsets.UTF_8)).contains("\"tls\":true");
    });
  }

  @Test
  void anHttpsSandboxCanBeRoutedAtRuntime() throws Exception {
    try (TestUpstream plain = TestUpstream.start("baseline");
         CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(plain.uri())
             .upstreamCa(goodCa).admin("127.0.0.1", 0).capture(CapturePolicy.NONE).build())) {
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(proxy.adminUri().resolve("/routes/tls-v2"))
          .PUT(HttpRequest.BodyPublishers.ofString("{\"upstream\":\"" + uri(good) + "\"}")).build(), BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isBetween(200, 299);
      HttpResponse<String> routed = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/7"))
          .header("x-routing-key", "tls-v2").build(), BodyHandlers.ofString());
      assertThat(routed.statusCode()).isEqualTo(200);
      assertThat(TestUpstream.JSON.readTree(routed.body()).path("tls").asBoolean()).isTrue();
      HttpResponse<String> baseline = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/7")).build(), BodyHandlers.ofString());
      assertThat(baseline.statusCode()).isEqualTo(200);
      assertThat(baseline.body()).doesNotContain("\"tls\"");
    }
  }

  @Test
  void anUntrustedCertificateIsA502NamingTheTlsFailure() throws Exception {
    List<Exchange> seen = new CopyOnWriteArrayList<>();
    try (CaptureProxy proxy = start(uri(good), null, seen)) { // the JDK's trust store: self-signed is untrusted
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders")).build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(502);
      JsonNode body = TestUpstream.JSON.readTree(r.body());
      assertThat(body.path("cause").asText()).startsWith("TLS handshake failed");
      assertThat(body.path("upstream").asText()).isEqualTo(uri(good).toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
    }
    assertThat(seen.get(0).error().message()).contains("TLS handshake failed");
  }

  @Test
  void aCertificateForAnotherHostIsRefusedEvenWhenItsIssuerIsTrusted() throws Exception {
    try (CaptureProxy proxy = start(uri(misnamed), misnamedCa, new CopyOnWriteArrayList<>())) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders")).build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(TestUpstream.JSON.readTree(r.body()).path("cause").asText()).startsWith("TLS handshake failed");
    }
  }

  @Test
  void anUpstreamThatNeverAnswersTheHandshakeIsA504() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("orders")
             .baseline(URI.create("https://127.0.0.1:" + silent.getLocalPort())).upstreamCa(goodCa)
             .connectTimeout(Duration.ofMillis(500)).capture(CapturePolicy.NONE).build())) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders")).build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(TestUpstream.JSON.readTree(r.body()).path("cause").asText()).isEqualTo("TLS handshake timed out");
    }
  }

  private static CaptureProxy start(URI upstream, Path ca, List<Exchange> seen) {
    return CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream).upstreamCa(ca)
        .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(seen::add)).build());
  }

  private static URI uri(HttpsServer s) {
    return URI.create("https://127.0.0.1:" + s.getAddress().getPort());
  }

  /** Answers every request with JSON naming the path and echoing the body. */
  private static HttpsServer server(TestCerts certs) throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(certs.keyManagers().getKeyManagers(), null, null);
    HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(ssl));
    s.createContext("/", ex -> {
      try (ex) {
        String echo = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        byte[] body = TestUpstream.JSON.writeValueAsBytes(java.util.Map.of(
            "tls", true, "path", ex.getRequestURI().getPath(), "echo", echo));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    s.start();
    return s;
  }
}
