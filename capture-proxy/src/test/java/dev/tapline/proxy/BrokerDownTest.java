package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Capture must never cost the user's traffic: with no broker at all (and no spool), every request
 * still succeeds, every capture is counted as dropped, and {@code /healthz} says why.
 */
class BrokerDownTest {

  @Test
  void servesEveryRequestAndCountsEveryDropWhenTheBrokerIsUnreachable() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("baseline");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
            .service("orders")
            .baseline(upstream.uri())
            .kafkaBootstrap("127.0.0.1:" + CaptureProxyTest.freePort()) // nothing listens there
            .capture(CapturePolicy.ALL)
            .admin("127.0.0.1", 0)
            .build())) {
      long started = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/" + i + "?quiet"))
            .build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(took).isLessThan(Duration.ofSeconds(30));

      await().atMost(Duration.ofSeconds(30)).until(() -> proxy.metrics().droppedCount() == 1000);
      assertThat(proxy.metrics().droppedCount(ExchangeSink.DropReason.UNREACHABLE)).isEqualTo(1000);
      assertThat(proxy.metrics().capturedCount()).isEqualTo(1000);
      assertThat(proxy.metrics().deliveredCount()).isZero();
      assertThat(proxy.metrics().pendingCount()).isZero();

      String metrics = http.send(HttpRequest.newBuilder(proxy.adminUri().resolve("/metrics")).build(),
          BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("(?m)^tapline_proxy_captures_dropped_total\\{reason=\"unreachable\"} (\\S+)$").matcher(metrics);
      assertThat(m.find()).isTrue();
      assertThat(Double.parseDouble(m.group(1))).isEqualTo(1000.0);
      assertThat(metrics).contains("tapline_proxy_captures_total 1000.0", "tapline_proxy_captures_delivered_total 0.0");

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(proxy.adminUri().resolve("/healthz")).build(),
          BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200); // it still forwards: a load balancer should keep it
      assertThat(health.body()).contains("\"status\":\"degraded\"", "broker unreachable", "dropping captures");
      assertThat(metrics).contains("tapline_proxy_requests_total{status=\"2xx\",target=\"baseline\"} 1000.0");
    }
  }
}
