package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.kafka.embedded.EmbeddedKafka;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy with a disk spool: captures made while no broker listens wait on disk and reach Kafka
 * in order when one does, a restarted proxy sends what it found first, the bound drops and counts,
 * and while Kafka takes captures nothing touches the disk.
 */
class SpoolingProxyTest {
  static TestUpstream upstream;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  static ProxyConfig.Builder config(String bootstrap, Path spool, String topic) {
    return ProxyConfig.builder()
        .service("orders")
        .baseline(upstream.uri())
        .kafkaBootstrap(bootstrap)
        .topic(topic)
        .capture(CapturePolicy.ALL)
        .spoolDir(spool)
        .admin("127.0.0.1", 0);
  }

  static void send(CaptureProxy proxy, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/" + i + "?quiet")).build(),
          BodyHandlers.discarding());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  static String health(CaptureProxy proxy) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.adminUri().resolve("/healthz")).build(),
        BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** captured = delivered + spooled + dropped, once nothing is on its way. */
  static boolean settled(ProxyMetrics m) {
    return m.pendingCount() == 0
        && m.capturedCount() == m.deliveredCount() + m.spooledCount() + m.droppedCount();
  }

  static List<String> segmentFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(Spool.SUFFIX)).toList();
    }
  }

  static List<String> paths(List<Exchange> exchanges) {
    return exchanges.stream().map(e -> e.request().path()).toList();
  }

  static List<String> paths(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "/orders/" + i).toList();
  }

  @Test
  void keepsCapturesOnDiskWhileNoBrokerListensAndSendsThemInOrderWhenOneDoes() throws Exception {
    int port = CaptureProxyTest.freePort();
    String bootstrap = "127.0.0.1:" + port;
    Path spool = tmp.resolve("spool");
    try (CaptureProxy proxy = CaptureProxy.start(config(bootstrap, spool, "spooled").build())) {
      send(proxy, 0, 300);
      ProxyMetrics m = proxy.metrics();
      await().atMost(Duration.ofSeconds(30)).until(() -> m.spooledCount() == 300 && settled(m));
      assertThat(m.capturedCount()).isEqualTo(300);
      assertThat(m.droppedCount()).isZero();
      assertThat(segmentFiles(spool)).isNotEmpty();
      assertThat(health(proxy)).contains("\"status\":\"degraded\"", "broker unreachable", "spool filling: 300 capture(s)");

      try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), port)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> m.deliveredCount() == 300 && settled(m));
        assertThat(m.spooledCount()).isZero();
        send(proxy, 300, 310); // and straight to Kafka again
        await().atMost(Duration.ofSeconds(30)).until(() -> m.deliveredCount() == 310 && settled(m));
        // one key (no routing key), so one partition, in the order the requests came
        List<Exchange> topic = TopicReader.exchanges(kafka.bootstrapServers(), "spooled", 310, Duration.ofSeconds(30));
        assertThat(paths(topic)).isEqualTo(paths(0, 310));
        assertThat(topic).extracting(Exchange::id).doesNotHaveDuplicates();
        assertThat(segmentFiles(spool)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> health(proxy).equals(
            "{\"status\":\"ok\",\"spool\":{\"captures\":0,\"bytes\":0,\"maxBytes\":1073741824}}"));
        String metrics = http.send(HttpRequest.newBuilder(proxy.adminUri().resolve("/metrics")).build(),
            BodyHandlers.ofString()).body();
        assertThat(metrics).contains("tapline_proxy_captures_total 310.0", "tapline_proxy_captures_delivered_total 310.0",
            "tapline_proxy_captures_spooled 0.0", "tapline_proxy_captures_pending 0.0",
            "tapline_proxy_captures_dropped_total{reason=\"spool_full\"} 0.0", "tapline_proxy_spool_bytes 0.0",
            "tapline_proxy_spool_limit_bytes 1.073741824E9");
      }
    }
  }

  @Test
  void aProxyStartedOnASpoolThatHoldsCapturesSendsThoseFirst() throws Exception {
    int port = CaptureProxyTest.freePort();
    String bootstrap = "127.0.0.1:" + port;
    Path spool = tmp.resolve("spool");
    try (CaptureProxy proxy = CaptureProxy.start(config(bootstrap, spool, "restarted").build())) {
      send(proxy, 0, 100);
      await().atMost(Duration.ofSeconds(30)).until(() -> proxy.metrics().spooledCount() == 100 && settled(proxy.metrics()));
    }
    assertThat(segmentFiles(spool)).isNotEmpty();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), port);
        CaptureProxy proxy = CaptureProxy.start(config(bootstrap, spool, "restarted").build())) {
      ProxyMetrics m = proxy.metrics();
      assertThat(m.capturedCount()).isEqualTo(100); // found in the spool: counted, so the sum still holds
      send(proxy, 100, 150);
      await().atMost(Duration.ofSeconds(60)).until(() -> m.deliveredCount() == 150 && settled(m));
      List<Exchange> topic = TopicReader.exchanges(kafka.bootstrapServers(), "restarted", 150, Duration.ofSeconds(30));
      assertThat(paths(topic)).isEqualTo(paths(0, 150));
      assertThat(segmentFiles(spool)).isEmpty();
    }
  }

  @Test
  void dropsAndCountsCapturesBeyondTheBoundButNeverTheRequests() throws Exception {
    Path spool = tmp.resolve("spool");
    try (CaptureProxy proxy = CaptureProxy.start(config("127.0.0.1:" + CaptureProxyTest.freePort(), spool, "full")
        .spoolMaxBytes(1 << 20).build())) {
      for (int i = 0; i < 40; i++) { // 40 responses of 64 KiB: about 2.5 MiB of captures for a 1 MiB spool
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/download?size=65536&n=" + i)).build(),
            BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      ProxyMetrics m = proxy.metrics();
      await().atMost(Duration.ofSeconds(30)).until(() -> m.capturedCount() == 40 && settled(m));
      assertThat(m.droppedCount(ExchangeSink.DropReason.SPOOL_FULL)).isPositive();
      assertThat(m.spooledCount()).isPositive();
      assertThat(m.spooledCount() + m.droppedCount()).isEqualTo(40);
      assertThat(Files.size(spool.resolve(segmentFiles(spool).get(0)))).isLessThanOrEqualTo(1 << 20);
      assertThat(health(proxy)).contains("degraded", "spool filling", "dropping captures", "spool_full");
    }
  }

  @Test
  void writesNothingToTheSpoolWhileKafkaTakesEveryCapture() throws Exception {
    Path spool = tmp.resolve("spool");
    String topic = SharedKafka.uniqueTopic("healthy");
    try (CaptureProxy proxy = CaptureProxy.start(config(SharedKafka.bootstrap(), spool, topic).build())) {
      send(proxy, 0, 200);
      ProxyMetrics m = proxy.metrics();
      await().atMost(Duration.ofSeconds(30)).until(() -> m.deliveredCount() == 200 && settled(m));
      assertThat(segmentFiles(spool)).isEmpty();
      assertThat(m.spoolWrites()).isZero(); // not even at start, while the fresh topic was created
      assertThat(health(proxy)).startsWith("{\"status\":\"ok\"");
    }
    try (Stream<Path> files = Files.list(spool)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".lock");
    }
  }
}
