package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SenderTest {
  static final Exchange RECORDED = new Exchange("e1", 0, 0, "orders", "p", "pr-1", "sandbox:pr-1", "00-abc-def-01",
      "sd-routing-key=pr-1", new Request("GET", "http", "orders:8080", "/orders", "page=1&size=2",
          Headers.of(
              "Host", "orders:8080",
              "Accept", "application/json",
              "Authorization", "[REDACTED]",
              "X-Api-Key", "looks-real-but-denylisted",
              "X-Session", "[REDACTED:0a1b2c3d4e5f]",
              "Cookie", "sid=1",
              "Connection", "keep-alive",
              "Content-Length", "0",
              "Accept-Encoding", "gzip",
              "traceparent", "00-abc-def-01",
              "sd-routing-key", "pr-1",
              "x-routing-key", "pr-1",
              "baggage", "sd-routing-key=pr-1, tenant=acme",
              "X-Request-Source", "mobile"),
          Body.empty()),
      new Response(200, Headers.empty(), Body.empty()), null, List.of());

  final Sender sender = new Sender(Duration.ofSeconds(3), List.of(new Header("Authorization", "Bearer real")), 0);

  @Test
  void baselineRequestCarriesRecordedHeadersButNoRoutingKeyCredentialsOrHopByHopHeaders() {
    HttpRequest r = sender.request(URI.create("http://baseline:8080/"), RECORDED, null);
    assertThat(r.uri()).isEqualTo(URI.create("http://baseline:8080/orders?page=1&size=2"));
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.headers().map().keySet()).map(String::toLowerCase)
        .containsExactlyInAnyOrder("accept", "authorization", "baggage", "x-request-source", "tapline-origin");
    assertThat(r.headers().allValues("tapline-origin")).as("marked as Tapline's own").containsExactly("replay");
    assertThat(r.headers().allValues("Authorization")).containsExactly("Bearer real");
    assertThat(r.headers().allValues("baggage")).containsExactly("tenant=acme");
    assertThat(r.timeout()).contains(Duration.ofSeconds(3));
  }

  @Test
  void sandboxRequestAddsTheRoutingKeyAsHeaderAndBaggageMember() {
    HttpRequest r = sender.request(URI.create("http://proxy:8080"), RECORDED, "pr 42");
    assertThat(r.headers().allValues("sd-routing-key")).containsExactly("pr 42");
    assertThat(r.headers().allValues("baggage")).containsExactly("tenant=acme,sd-routing-key=pr+42");
    assertThat(r.headers().allValues("x-routing-key")).isEmpty();
  }

  @Test
  void baseUrlPathPrefixIsKept() {
    HttpRequest r = sender.request(URI.create("http://gateway/api/v1"), RECORDED, null);
    assertThat(r.uri().toString()).isEqualTo("http://gateway/api/v1/orders?page=1&size=2");
  }

  @Test
  void ignoreRulesParseJsonPathsHeadersAndEndpointScopedPaths() {
    IgnoreRule global = IgnoreRule.parse("$.meta.requestId");
    assertThat(global.matches("GET", "/x", "$.meta.requestId")).isTrue();
    assertThat(global.matches("GET", "/x", "$.meta.requestIdx")).isFalse();
    assertThat(global.matches("GET", "/x", "$.meta.requestId.part")).isTrue();
    IgnoreRule scoped = IgnoreRule.parse("GET /orders/{id}:$.items[0].price");
    assertThat(scoped.path()).isEqualTo("$.items[*].price");
    assertThat(scoped.matches("GET", "/orders/{id}", "$.items[*].price")).isTrue();
    assertThat(scoped.matches("POST", "/orders/{id}", "$.items[*].price")).isFalse();
    assertThat(IgnoreRule.parse("header:etag").matches("GET", "/", "header:ETag")).isTrue();
    assertThat(IgnoreRule.parse("header:Link").matches("GET", "/", "header:Link[rel=next]")).isTrue();
    assertThatThrownBy(() -> IgnoreRule.parse("orders.id")).hasMessageContaining("--ignore takes");
  }

  @Test
  void optionsRejectNonsenseWithTheFlagInTheMessage() {
    var b = ReplayOptions.builder().baselineAndSandbox(URI.create("http://a"), URI.create("http://b"));
    assertThatThrownBy(() -> b.concurrency(0).build()).hasMessageContaining("concurrency");
    assertThatThrownBy(() -> ReplayOptions.builder().build()).hasMessageContaining("--baseline");
    assertThatThrownBy(() -> ReplayOptions.builder().baselineAndSandbox(URI.create("ftp://a"), URI.create("http://b")))
        .hasMessageContaining("baseline must be an http(s) URL");
    assertThat(ReplayOptions.builder().target(URI.create("http://a"), "k").build().methods())
        .containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS");
  }
}
