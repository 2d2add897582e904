package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeError;
import dev.tapline.core.Redactor;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy against a real broker and real upstreams on random loopback ports. */
class CaptureProxyTest {
  static TestUpstream baseline;
  static TestUpstream sandbox;
  static HttpClient http;

  @BeforeAll
  static void upstreams() {
    baseline = TestUpstream.start("baseline");
    sandbox = TestUpstream.start("sandbox");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    baseline.close();
    sandbox.close();
    http.close();
  }

  static ProxyConfig.Builder config(String topic) {
    return ProxyConfig.builder()
        .service("orders")
        .proxyId("test-proxy")
        .baseline(baseline.uri())
        .sandbox("pr-7", sandbox.uri())
        .kafkaBootstrap(SharedKafka.bootstrap())
        .topic(topic)
        .admin("127.0.0.1", 0);
  }

  static HttpResponse<String> get(CaptureProxy proxy, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri().resolve(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  @Test
  void routesKeyedRequestsToTheSandboxAndOthersToTheBaselineAndCapturesBoth() throws Exception {
    String topic = SharedKafka.uniqueTopic("routing");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).capture(CapturePolicy.ALL).build())) {
      HttpResponse<String> keyed = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/7?expand=items"))
          .header("x-routing-key", "pr-7")
          .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .header("Content-Type", "application/json")
          .POST(BodyPublishers.ofString("{\"customer\":\"ann\"}"))
          .build(), BodyHandlers.ofString());
      HttpResponse<String> plain = get(proxy, "/orders");

      JsonNode keyedEcho = TestUpstream.JSON.readTree(keyed.body());
      assertThat(keyedEcho.get("server").asText()).isEqualTo("sandbox");
      assertThat(keyedEcho.at("/headers/x-routing-key/0").asText()).isEqualTo("pr-7");
      assertThat(keyedEcho.at("/headers/via/0").asText()).isEqualTo("1.1 tapline");
      assertThat(keyedEcho.at("/headers/x-forwarded-for/0").asText()).isEqualTo("127.0.0.1");
      assertThat(keyedEcho.at("/headers/x-forwarded-proto/0").asText()).isEqualTo("http");
      assertThat(keyedEcho.at("/headers/x-forwarded-host/0").asText()).isEqualTo("127.0.0.1:" + proxy.port());
      assertThat(TestUpstream.JSON.readTree(plain.body()).get("server").asText()).isEqualTo("baseline");
      assertThat(keyed.headers().firstValue("via")).contains("1.1 tapline");

      List<Exchange> captured = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 2, Duration.ofSeconds(30));
      assertThat(captured).hasSize(2);
      Exchange s = captured.stream().filter(e -> e.routingKey() != null).findFirst().orElseThrow();
      Exchange b = captured.stream().filter(e -> e.routingKey() == null).findFirst().orElseThrow();

      assertThat(s.service()).isEqualTo("orders");
      assertThat(s.proxy()).isEqualTo("test-proxy");
      assertThat(s.target()).isEqualTo("sandbox:pr-7");
      assertThat(s.traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      assertThat(s.request().method()).isEqualTo("POST");
      assertThat(s.request().scheme()).isEqualTo("http");
      assertThat(s.request().authority()).isEqualTo("127.0.0.1:" + proxy.port());
      assertThat(s.request().path()).isEqualTo("/orders/7");
      assertThat(s.request().rawQuery()).isEqualTo("expand=items");
      assertThat(s.request().headers().first("x-routing-key")).isEqualTo("pr-7");
      assertThat(s.request().body().textOrNull()).isEqualTo("{\"customer\":\"ann\"}");
      assertThat(s.request().body().contentType()).isEqualTo("application/json");
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response().headers().first("x-upstream")).isEqualTo("sandbox");
      assertThat(s.response().body().textOrNull()).isEqualTo(keyed.body());
      assertThat(s.durationMicros()).isPositive();
      assertThat(s.startedAt()).isGreaterThan(1_600_000_000_000_000L);
      // what the proxy added on the upstream hop is not part of what the client sent
      assertThat(s.request().headers().contains("via")).isFalse();

      assertThat(b.target()).isEqualTo("baseline");
      assertThat(b.request().path()).isEqualTo("/orders");
      assertThat(b.request().rawQuery()).isNull();
      assertThat(b.response().body().textOrNull()).isEqualTo(plain.body());
      assertThat(captured).extracting(Exchange::id).doesNotHaveDuplicates();

      List<ConsumerRecord<byte[], byte[]>> records = TopicReader.records(SharedKafka.bootstrap(), topic, 2, Duration.ofSeconds(10));
      assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
          .containsExactlyInAnyOrder("orders|pr-7", "orders|");
      assertThat(new String(records.get(0).headers().lastHeader("tapline-schema").value(), StandardCharsets.UTF_8)).isEqualTo("1");
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().capturedCount() == 2);
    }
  }

  @Test
  void sendsUnknownKeysToTheBaselineAndStillCapturesThemWithTheirKey() throws Exception {
    String topic = SharedKafka.uniqueTopic("unknown");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).build())) {
      HttpResponse<String> r = get(proxy, "/orders/1", "baggage", "sd-routing-key=nobody,other=1");
      HttpResponse<String> plain = get(proxy, "/orders/2");
      assertThat(TestUpstream.JSON.readTree(r.body()).get("server").asText()).isEqualTo("baseline");
      assertThat(plain.statusCode()).isEqualTo(200);

      List<Exchange> captured = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 1, Duration.ofSeconds(30));
      assertThat(captured).singleElement().satisfies(e -> {
        assertThat(e.routingKey()).isEqualTo("nobody");
        assertThat(e.target()).isEqualTo("baseline");
        assertThat(e.baggage()).isEqualTo("sd-routing-key=nobody,other=1");
      });
      // SANDBOXED (the default) does not capture the keyless request
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.metrics().capturedCount() == 1);
      assertThat(proxy.metrics().capturedCount()).isEqualTo(1);
    }
  }

  @Test
  void neverPublishesAuthorizationOrCookiesUnredacted() throws Exception {
    String topic = SharedKafka.uniqueTopic("redact");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).capture(CapturePolicy.ALL).build())) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/login?token=abc123&quiet"))
          .header("Authorization", "Bearer super-secret-token")
          .header("Cookie", "sid=cookie-secret")
          .header("Content-Type", "application/json")
          .POST(BodyPublishers.ofString("{\"user\":\"ann\",\"password\":\"hunter2\"}"))
          .build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      // the upstream itself sees the real values: redaction is for the capture only
      assertThat(baseline.received).anySatisfy(m -> assertThat(m.get("headers").toString()).contains("Bearer super-secret-token"));

      List<ConsumerRecord<byte[], byte[]>> records = TopicReader.records(SharedKafka.bootstrap(), topic, 1, Duration.ofSeconds(30));
      assertThat(records).hasSize(1);
      String wire = new String(records.get(0).value(), StandardCharsets.UTF_8);
      assertThat(wire).doesNotContain("super-secret-token", "cookie-secret", "hunter2", "upstream-secret", "abc123");
      assertThat(wire).contains(Redactor.MARKER);
      Exchange e = dev.tapline.core.ExchangeCodec.decode(records.get(0).value());
      assertThat(e.redactions()).contains("request.header:authorization", "request.header:cookie", "response.header:set-cookie");
    }
  }

  @Test
  void passesFiftyMegabyteUploadsAndDownloadsByteExactWhileTheCaptureIsTruncated() throws Exception {
    String topic = SharedKafka.uniqueTopic("large");
    long size = 50L * 1024 * 1024;
    int max = 64 * 1024;
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).capture(CapturePolicy.ALL).maxBodyBytes(max).build())) {
      String expected = TestUpstream.patternSha(size);

      HttpResponse<String> up = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/upload"))
          .header("Content-Type", "application/octet-stream")
          .POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new TestUpstream.PatternStream(size)), size))
          .build(), BodyHandlers.ofString());
      JsonNode upJson = TestUpstream.JSON.readTree(up.body());
      assertThat(upJson.get("length").asLong()).isEqualTo(size);
      assertThat(upJson.get("sha256").asText()).isEqualTo(expected);

      // chunked upload: no Content-Length
      HttpResponse<String> upChunked = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/upload"))
          .POST(BodyPublishers.ofInputStream(() -> new TestUpstream.PatternStream(size)))
          .build(), BodyHandlers.ofString());
      assertThat(TestUpstream.JSON.readTree(upChunked.body()).get("sha256").asText()).isEqualTo(expected);

      for (String q : List.of("", "&chunked=1")) {
        HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/download?size=" + size + q))
            .build(), BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(sha(down.body())).isEqualTo(expected);
      }

      List<Exchange> captured = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 4, Duration.ofSeconds(30));
      assertThat(captured).hasSize(4);
      captured = captured.stream().sorted(Comparator.comparing(Exchange::id)).toList();
      for (Exchange e : captured.subList(0, 2)) {
        assertThat(e.request().body().truncated()).isTrue();
        assertThat(e.request().body().bytes()).hasSize(max);
        assertThat(e.request().body().originalSize()).isEqualTo(size);
      }
      for (Exchange e : captured.subList(2, 4)) {
        assertThat(e.response().body().truncated()).isTrue();
        assertThat(e.response().body().bytes()).hasSize(max);
        assertThat(e.response().body().originalSize()).isEqualTo(size);
      }
    }
  }

  @Test
  void answersUpstreamDownWith502NamingTheUpstreamAndCapturesTheError() throws Exception {
    String topic = SharedKafka.uniqueTopic("down");
    URI dead = URI.create("http://127.0.0.1:" + freePort());
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).sandbox("dead", dead).build())) {
      HttpResponse<String> r = get(proxy, "/orders", "sd-routing-key", "dead");
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.headers().firstValue("content-type")).contains("application/json");
      JsonNode body = TestUpstream.JSON.readTree(r.body());
      assertThat(body.get("error").asText()).isEqualTo("upstream_unavailable");
      assertThat(body.get("upstream").asText()).isEqualTo(dead.toString());
      assertThat(body.get("cause").asText()).isEqualTo("connection refused");
      assertThat(body.get("detail").asText()).contains("connection refused");

      Exchange e = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 1, Duration.ofSeconds(30)).get(0);
      assertThat(e.response()).isNull();
      assertThat(e.error().kind()).isEqualTo(ExchangeError.Kind.REFUSED);
      assertThat(e.error().message()).contains("connection refused", dead.toString());
      assertThat(e.target()).isEqualTo("sandbox:dead");

      // the proxy keeps serving
      assertThat(get(proxy, "/orders", "sd-routing-key", "pr-7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void answers504WhenTheUpstreamDoesNotRespondInTime() throws Exception {
    String topic = SharedKafka.uniqueTopic("slow");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).responseTimeout(Duration.ofMillis(300)).build())) {
      HttpResponse<String> r = get(proxy, "/slow?ms=3000", "x-routing-key", "pr-7");
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(TestUpstream.JSON.readTree(r.body()).get("error").asText()).isEqualTo("upstream_unavailable");
      Exchange e = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 1, Duration.ofSeconds(30)).get(0);
      assertThat(e.error().kind()).isEqualTo(ExchangeError.Kind.TIMEOUT);
    }
  }

  @Test
  void decodesGzipForTheCaptureOnlyAndPassesTheWireBytesThrough() throws Exception {
    String topic = SharedKafka.uniqueTopic("gzip");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).capture(CapturePolicy.ALL).build())) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/gzip")).build(), BodyHandlers.ofByteArray());
      assertThat(r.headers().firstValue("content-encoding")).contains("gzip");
      assertThat(r.body()[0] & 0xFF).isEqualTo(0x1f); // still compressed on the wire
      Exchange e = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 1, Duration.ofSeconds(30)).get(0);
      assertThat(e.response().body().encoding()).isEqualTo("gzip");
      assertThat(e.response().body().textOrNull()).isEqualTo("{\"compressed\":true,\"items\":[1,2,3]}");
    }
  }

  @Test
  void changesRoutesAtRuntimeThroughTheAdminPort() throws Exception {
    String topic = SharedKafka.uniqueTopic("admin");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).capture(CapturePolicy.NONE).build())) {
      URI admin = proxy.adminUri();
      assertThat(TestUpstream.JSON.readTree(get(proxy, "/x", "x-routing-key", "new").body()).get("server").asText())
          .isEqualTo("baseline");

      HttpResponse<String> put = http.send(HttpRequest.newBuilder(admin.resolve("/routes/new"))
          .PUT(BodyPublishers.ofString("{\"upstream\":\"" + sandbox.uri() + "\"}")).build(), BodyHandlers.ofString());
      assertThat(put.statusCode()).isEqualTo(201);
      assertThat(TestUpstream.JSON.readTree(get(proxy, "/x", "x-routing-key", "new").body()).get("server").asText())
          .isEqualTo("sandbox");

      HttpResponse<String> routes = http.send(HttpRequest.newBuilder(admin.resolve("/routes")).build(), BodyHandlers.ofString());
      JsonNode table = TestUpstream.JSON.readTree(routes.body());
      assertThat(table.at("/new/upstream").asText()).isEqualTo(sandbox.uri().toString());
      assertThat(table.at("/pr-7/upstream").asText()).isEqualTo(sandbox.uri().toString());

      HttpResponse<String> bad = http.send(HttpRequest.newBuilder(admin.resolve("/routes/x"))
          .PUT(BodyPublishers.ofString("{\"upstream\":\"ftp://nope\"}")).build(), BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(TestUpstream.JSON.readTree(bad.body()).get("error").asText()).isEqualTo("bad_request");
      HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(admin.resolve("/routes/x"))
          .PUT(BodyPublishers.ofString("upstream=1")).build(), BodyHandlers.ofString());
      assertThat(notJson.statusCode()).isEqualTo(400);

      HttpResponse<String> del = http.send(HttpRequest.newBuilder(admin.resolve("/routes/new")).DELETE().build(), BodyHandlers.ofString());
      assertThat(del.statusCode()).isEqualTo(204);
      HttpResponse<String> delAgain = http.send(HttpRequest.newBuilder(admin.resolve("/routes/new")).DELETE().build(), BodyHandlers.ofString());
      assertThat(delAgain.statusCode()).isEqualTo(404);
      assertThat(TestUpstream.JSON.readTree(get(proxy, "/x", "x-routing-key", "new").body()).get("server").asText())
          .isEqualTo("baseline");

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(admin.resolve("/healthz")).build(), BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(admin.resolve("/metrics")).build(), BodyHandlers.ofString());
      assertThat(metrics.body()).contains("tapline_proxy_requests_total{status=\"2xx\",target=\"sandbox\"} 1.0",
          "tapline_proxy_request_duration_seconds_bucket", "tapline_proxy_captures_dropped_total",
          "tapline_proxy_capture_queue_depth", "tapline_proxy_kafka_send_errors_total");
    }
  }

  static String sha(InputStream in) throws Exception {
    MessageDigest sha = TestUpstream.sha256();
    try (in) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
