package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.proxy.RawHttp.Conversation;
import dev.tapline.proxy.RawHttp.Reply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9112 framing on the wire: what the proxy refuses (and closes after), what it rewrites, and
 * what a strict upstream then reads. Refusals are the proxy's own JSON answers, counted under the
 * {@code proxy} target and never captured.
 */
class RequestFramingTest {
  static StrictUpstream upstream;
  static CaptureProxy proxy;
  static PrometheusMeterRegistry registry;
  static final List<Exchange> captured = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    upstream = StrictUpstream.start();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(captured::add)).meterRegistry(registry).build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  /** Captures are written after the response; wait for a test's own before the next one clears the list. */
  @AfterEach
  void settle() {
    await().atMost(Duration.ofSeconds(10)).until(() -> captured.size() >= upstream.received.size());
  }

  @BeforeEach
  void clear() {
    // The last test's captures are published asynchronously: let them arrive before forgetting them.
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().pendingCount() == 0);
    upstream.received.clear();
    captured.clear();
  }

  static Conversation exchange(String request) throws Exception {
    try (Socket s = RawHttp.connect(proxy.port())) {
      RawHttp.send(s, request);
      return RawHttp.readAll(s, 10);
    }
  }

  /** Asserts one JSON refusal with {@code status} and {@code error}, a close, and nothing forwarded. */
  static Reply refused(String request, int status, String error) throws Exception {
    double before = proxyCount(status);
    Conversation c = exchange(request);
    assertThat(c.statuses()).as("answers to %s", request).containsExactly(status);
    assertThat(c.closed()).as("closes after refusing").isTrue();
    Reply r = c.replies().get(0);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.json().get("error").asText()).isEqualTo(error);
    assertThat(upstream.received).as("forwarded nothing").isEmpty();
    assertThat(upstream.violations).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxyCount(status) == before + 1);
    assertThat(captured).as("a refused request is not captured").isEmpty();
    return r;
  }

  static double proxyCount(int status) {
    var c = registry.find("tapline.proxy.requests").tags("target", "proxy", "status", (status / 100) + "xx").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void refusesAnHttp11RequestWithoutHostInsteadOfInventingOne() throws Exception {
    Reply r = refused("GET /orders HTTP/1.1\r\n\r\n", 400, "bad_request");
    assertThat(r.json().get("detail").asText()).contains("Host");
  }

  @Test
  void refusesTwoHostHeadersEvenWhenTheyAgree() throws Exception {
    refused("GET /orders HTTP/1.1\r\nHost: shop.test\r\nHost: evil.test\r\n\r\n", 400, "bad_request");
    refused("GET /orders HTTP/1.1\r\nHost: shop.test\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
  }

  @Test
  void refusesAHostThatIsNotHostAndPort() throws Exception {
    refused("GET /orders HTTP/1.1\r\nHost: \r\n\r\n", 400, "bad_request");
    refused("GET /orders HTTP/1.1\r\nHost: shop.test/admin\r\n\r\n", 400, "bad_request");
    refused("GET /orders HTTP/1.1\r\nHost: user@shop.test\r\n\r\n", 400, "bad_request");
  }

  @Test
  void keepsHostAndTheBodyWhenConnectionNamesThem() throws Exception {
    Conversation c = exchange("POST /orders HTTP/1.1\r\nHost: shop.test\r\nConnection: Host, Content-Length, X-Hop\r\n"
        + "X-Hop: 1\r\nContent-Length: 5\r\n\r\nhello" + "GET /last HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
    assertThat(c.statuses()).containsExactly(200, 200);
    StrictUpstream.Received r = upstream.received.peek();
    assertThat(r.header("host")).isEqualTo("shop.test");
    assertThat(r.header("x-hop")).isNull();
    assertThat(r.body()).asString().isEqualTo("hello");
    assertThat(upstream.violations).isEmpty();
  }

  @Test
  void sendsAnAbsoluteFormRequestUpstreamAsAPathWithTheUrlsAuthorityAsHost() throws Exception {
    Conversation c = exchange("GET http://Shop.test:80/orders?page=2 HTTP/1.1\r\nHost: shop.test\r\n\r\n"
        + "GET http://shop.test:8080 HTTP/1.0\r\n\r\n");
    assertThat(c.statuses()).containsExactly(200, 200);
    List<StrictUpstream.Received> got = List.copyOf(upstream.received);
    assertThat(got.get(0).target()).isEqualTo("/orders?page=2");
    assertThat(got.get(0).header("host")).isEqualTo("Shop.test:80");
    assertThat(got.get(1).target()).isEqualTo("/");
    assertThat(got.get(1).header("host")).isEqualTo("shop.test:8080");
    assertThat(upstream.violations).isEmpty();
    // The capture records what went upstream.
    await().atMost(Duration.ofSeconds(5)).until(() -> captured.size() == 2);
    Exchange e = captured.stream().filter(x -> x.request().path().equals("/orders")).findFirst().orElseThrow();
    assertThat(e.request().authority()).isEqualTo("Shop.test:80");
    assertThat(e.request().rawQuery()).isEqualTo("page=2");
  }

  @Test
  void refusesAnAbsoluteFormTargetNamingAnotherHostThanHost() throws Exception {
    Reply r = refused("GET http://evil.test/orders HTTP/1.1\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
    assertThat(r.json().get("detail").asText()).contains("evil.test", "shop.test");
    refused("GET http://shop.test:8080/orders HTTP/1.1\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
    refused("GET http://user@shop.test/orders HTTP/1.1\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
    refused("GET shop.test:80 HTTP/1.1\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
    refused("GET * HTTP/1.1\r\nHost: shop.test\r\n\r\n", 400, "bad_request");
  }

  @Test
  void answers505ToAnyVersionButHttp10And11() throws Exception {
    Reply r = refused("GET /orders HTTP/9.9\r\nHost: shop.test\r\n\r\n", 505, "version_not_supported");
    assertThat(r.json().get("detail").asText()).contains("HTTP/9.9");
    refused("GET /orders HTTP/1.2\r\nHost: shop.test\r\n\r\n", 505, "version_not_supported");
    refused("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "version_not_supported");
  }

  @Test
  void answers501ToConnectAndClosesSoNothingPipelinedAfterItIsForwarded() throws Exception {
    Reply r = refused("CONNECT shop.test:443 HTTP/1.1\r\nHost: shop.test:443\r\n\r\n"
        + "GET /after HTTP/1.1\r\nHost: shop.test\r\n\r\n", 501, "not_implemented");
    assertThat(r.json().get("detail").asText()).contains("CONNECT");
  }

  @Test
  void refusesTransferCodingsOtherThanChunkedAndTransferEncodingOnHttp10() throws Exception {
    refused("POST /orders HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n",
        501, "not_implemented");
    refused("POST /orders HTTP/1.0\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400, "bad_request");
  }

  @Test
  void forwardsWhatIsWellFormedUnchanged() throws Exception {
    Conversation c = exchange("OPTIONS * HTTP/1.1\r\nHost: shop.test\r\n\r\n"
        + "POST /orders HTTP/1.1\r\nHost: [::1]:8080\r\nTransfer-Encoding: Chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\n\r\n"
        + "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        + "GET /bye HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(c.statuses()).containsExactly(200, 200, 200, 200);
    assertThat(c.closed()).isTrue();
    List<StrictUpstream.Received> got = List.copyOf(upstream.received);
    assertThat(got).extracting(StrictUpstream.Received::target).containsExactly("*", "/orders", "/old", "/bye");
    assertThat(got.get(1).body()).asString().isEqualTo("hello");
    assertThat(got.get(1).header("host")).isEqualTo("[::1]:8080");
    assertThat(got.get(2).header("host")).as("an HTTP/1.0 request without Host gets the upstream's")
        .isEqualTo(upstream.uri().getAuthority());
    assertThat(upstream.violations).isEmpty();
  }
}
