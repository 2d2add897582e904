package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which requests are captured: policy, path globs and sampling, seen through a custom sink. */
class CapturePolicyTest {
  static TestUpstream upstream;
  static HttpClient http;

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    upstream.close();
    http.close();
  }

  static List<String> capturedPaths(ProxyConfig.Builder config, List<String> paths, String... headers) throws Exception {
    List<Exchange> seen = new CopyOnWriteArrayList<>();
    try (CaptureProxy proxy = CaptureProxy.start(config.service("orders").baseline(upstream.uri())
        .sink(ExchangeSink.custom(seen::add)).build())) {
      for (String p : paths) {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri().resolve(p + "?quiet"));
        if (headers.length > 0) {
          b.headers(headers);
        }
        assertThat(http.send(b.build(), BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().requestCount() == paths.size());
    } // close() publishes what is queued
    return seen.stream().map(e -> e.request().path()).sorted().toList();
  }

  @Test
  void capturesOnlyIncludedPathsThatAreNotExcluded() throws Exception {
    List<String> paths = List.of("/orders/1", "/orders/1/items", "/orders/internal", "/healthz");
    assertThat(capturedPaths(ProxyConfig.builder().capture(CapturePolicy.ALL)
        .include(List.of("/orders/**")).exclude(List.of("/orders/internal")), paths))
        .containsExactly("/orders/1", "/orders/1/items");
  }

  @Test
  void capturesOnlyRequestsWithARoutingKeyByDefault() throws Exception {
    assertThat(capturedPaths(ProxyConfig.builder(), List.of("/a", "/b"))).isEmpty();
    assertThat(capturedPaths(ProxyConfig.builder(), List.of("/a", "/b"), "x-routing-key", "k")).containsExactly("/a", "/b");
  }

  @Test
  void capturesNothingAtSampleRateZeroAndNothingUnderPolicyNone() throws Exception {
    List<String> paths = List.of("/a", "/b", "/c");
    assertThat(capturedPaths(ProxyConfig.builder().capture(CapturePolicy.ALL).sampleRate(0), paths)).isEmpty();
    assertThat(capturedPaths(ProxyConfig.builder().capture(CapturePolicy.NONE), paths, "x-routing-key", "k")).isEmpty();
    assertThat(capturedPaths(ProxyConfig.builder().capture(CapturePolicy.ALL).sampleRate(1), paths)).hasSize(3);
  }
}
