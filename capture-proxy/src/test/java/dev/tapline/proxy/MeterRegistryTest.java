package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One registry per process: the proxy counts into the one it is given, and its sink's outcomes too. */
class MeterRegistryTest {
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

  static CaptureProxy proxy(MeterRegistry registry, ExchangeSink sink) {
    return CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).sink(sink).admin("127.0.0.1", 0).meterRegistry(registry).build());
  }

  static HttpResponse<String> get(java.net.URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
  }

  static double count(MeterRegistry r, String name, String... tags) {
    Counter c = r.find(name).tags(tags).counter();
    if (c != null) {
      return c.count();
    }
    FunctionCounter f = r.find(name).tags(tags).functionCounter();
    return f == null ? -1 : f.count();
  }

  @Test
  void servesTheSharedPrometheusRegistryWithOtherComponentsMetersOnMetrics() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("tapline.recorder.indexed").register(registry).increment(3);
    try (CaptureProxy proxy = proxy(registry, ExchangeSink.discarding())) {
      assertThat(get(proxy.uri().resolve("/orders/1?quiet")).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().capturedCount() == 1);
      String body = get(proxy.adminUri().resolve("/metrics")).body();
      assertThat(body).contains("tapline_proxy_requests_total{status=\"2xx\",target=\"baseline\"} 1.0",
          "tapline_proxy_captures_total 1.0", "tapline_recorder_indexed_total 3.0");
    }
  }

  @Test
  void countsIntoAnyRegistryAndSaysWhyMetricsCannotServeOneThatIsNotPrometheus() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CaptureProxy proxy = proxy(registry, ExchangeSink.discarding())) {
      assertThat(get(proxy.uri().resolve("/a?quiet")).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "tapline.proxy.captures") == 1);
      assertThat(count(registry, "tapline.proxy.requests", "target", "baseline", "status", "2xx")).isEqualTo(1);
      HttpResponse<String> metrics = get(proxy.adminUri().resolve("/metrics"));
      assertThat(metrics.statusCode()).isEqualTo(404);
      assertThat(metrics.body()).contains("\"error\":\"not_found\"", "not on a Prometheus registry");
    }
  }

  @Test
  void countsASinkThatFailsAsADroppedCaptureButNotAsAKafkaSendError() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExchangeSink failing = ExchangeSink.custom(e -> {
      throw new IllegalStateException("disk full");
    });
    try (CaptureProxy proxy = proxy(registry, failing)) {
      assertThat(get(proxy.uri().resolve("/a?quiet")).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().droppedCount(ExchangeSink.DropReason.FAILED) == 1);
      assertThat(proxy.metrics().capturedCount()).isEqualTo(1);
      assertThat(proxy.metrics().deliveredCount()).isZero();
      assertThat(proxy.metrics().droppedCount()).isEqualTo(1);
      assertThat(proxy.metrics().pendingCount()).isZero();
      assertThat(count(registry, "tapline.proxy.kafka.send.errors")).isZero();
    }
  }
}
