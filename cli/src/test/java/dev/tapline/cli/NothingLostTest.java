package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.kafka.embedded.EmbeddedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.proxy.ProxyMetrics;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost: under steady traffic the broker stops (for as long as it takes to spool a thousand
 * captures, about ten seconds, or longer with {@code -Dtapline.outageSeconds=60}: past the
 * producer's 30 s delivery timeout, the captures it held fail and are spooled too) and comes back
 * on the same data directory and port. Every request succeeds, the proxy's
 * accounting adds up at every step, and every exchange it counted is indexed exactly once.
 */
class NothingLostTest {
  static final String TOPIC = "outage.exchanges";
  @TempDir Path dir;

  @Test
  void aBrokerOutageUnderSteadyTrafficLosesNoRequestAndNoCaptureAndIndexesEachOnce() throws Exception {
    int port = freePort();
    Path kafkaDir = dir.resolve("kafka");
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, port);
    HttpServer upstream = upstream();
    Traffic traffic = null;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
            .service("outage")
            .baseline(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()))
            .kafkaBootstrap(kafka.bootstrapServers())
            .topic(TOPIC)
            .capture(CapturePolicy.ALL)
            .spoolDir(dir.resolve("spool"))
            .admin("127.0.0.1", 0)
            .build());
        Recorder recorder = Recorder.start(RecorderConfig.builder()
            .kafka(kafka.bootstrapServers())
            .topic(TOPIC)
            .groupId("outage")
            .indexDir(dir.resolve("index"))
            .build())) {
      ProxyMetrics m = proxy.metrics();
      traffic = new Traffic(proxy.uri());
      await().atMost(Duration.ofSeconds(30)).until(() -> m.deliveredCount() >= 200);

      kafka.close();
      long stopped = System.nanoTime();
      Duration outage = Duration.ofSeconds(Long.getLong("tapline.outageSeconds", 0));
      await().atMost(outage.plusSeconds(30)).until(() -> adds(m) && m.spooledCount() >= 1_000
          && System.nanoTime() - stopped >= outage.toNanos());
      assertThat(json(proxy.adminUri().resolve("/healthz"))).contains("\"status\":\"degraded\"", "broker unreachable",
          "spool filling");
      await().atMost(Duration.ofSeconds(15)).until(() -> json(recorder.baseUri().resolve("/healthz"))
          .contains("broker unreachable"));
      assertThat(traffic.failed.get()).isZero();

      kafka = EmbeddedKafka.start(kafkaDir, port);
      long deliveredAtRestart = m.deliveredCount();
      await().atMost(Duration.ofSeconds(90)).until(() -> adds(m) && m.spooledCount() == 0
          && m.deliveredCount() >= deliveredAtRestart + 1_300);
      traffic.stop();
      int sent = traffic.sent.get();

      assertThat(traffic.failed.get()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> m.pendingCount() == 0);
      assertThat(m.capturedCount()).isEqualTo(sent);
      assertThat(m.droppedCount()).isZero();
      assertThat(m.deliveredCount()).isEqualTo(sent);
      assertThat(m.spoolWrites()).isGreaterThanOrEqualTo(1_000);
      await().atMost(Duration.ofSeconds(15)).until(() -> json(proxy.adminUri().resolve("/healthz")).startsWith(
          "{\"status\":\"ok\""));

      await().atMost(Duration.ofSeconds(90)).until(() -> recorder.index().size() >= sent);
      await().atMost(Duration.ofSeconds(30)).until(() -> recorder.metricsText().contains("tapline_recorder_consumer_lag 0.0"));
      recorder.index().refresh();
      ByteArrayOutputStream export = new ByteArrayOutputStream();
      recorder.index().export(null, export);
      List<Exchange> indexed = export.toString(StandardCharsets.UTF_8).lines().map(ExchangeCodec::decode).toList();
      List<String> ids = indexed.stream().map(Exchange::id).toList();
      assertThat(ids).hasSize(sent).doesNotHaveDuplicates();
      Set<String> requests = indexed.stream().map(e -> e.request().path()).collect(Collectors.toSet());
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < sent; i++) {
        expected.add("/items/" + i);
      }
      assertThat(requests).isEqualTo(expected);
      List<String> inTopic = topicIds(kafka.bootstrapServers(), sent);
      assertThat(new HashSet<>(inTopic)).isEqualTo(new HashSet<>(ids));
      await().atMost(Duration.ofSeconds(15)).until(() -> json(recorder.baseUri().resolve("/healthz"))
          .startsWith("{\"status\":\"ok\""));
    } finally {
      if (traffic != null) {
        traffic.stop();
      }
      kafka.close();
      upstream.stop(0);
    }
  }

  /**
   * captured = delivered + spooled + dropped + pending at every moment. Read while captures move, so
   * in an order in which a move can only make the right side look larger (each outcome is counted
   * before its capture leaves where it was); the equality itself is checked at rest.
   */
  static boolean adds(ProxyMetrics m) {
    long captured = m.capturedCount();
    long pending = m.pendingCount();
    long spooled = m.spooledCount();
    long rest = pending + spooled + m.deliveredCount() + m.droppedCount();
    assertThat(rest).as("delivered + spooled + dropped + pending").isGreaterThanOrEqualTo(captured);
    return true;
  }

  /** One client sending a request every 10 ms, each to its own path; counts what failed. */
  static final class Traffic {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Traffic(URI proxy) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
          .build();
      thread = new Thread(() -> {
        long next = System.nanoTime();
        for (int i = 0; !stop.get(); i++) {
          try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(proxy.resolve("/items/" + i))
                .header("x-routing-key", "k" + i % 5).timeout(Duration.ofSeconds(10)).build(), BodyHandlers.discarding());
            if (r.statusCode() != 200) {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
          sent.incrementAndGet();
          next += 10_000_000L; // steady: 100 requests a second
          LockSupport.parkNanos(next - System.nanoTime());
        }
      }, "traffic");
      thread.start();
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  static HttpServer upstream() throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.createContext("/", ex -> {
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    s.start();
    return s;
  }

  static String json(URI uri) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
    }
  }

  /** The ids of every record in the topic (a capture sent twice would show twice). */
  static List<String> topicIds(String bootstrap, int atLeast) {
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
      List<TopicPartition> parts = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1),
          new TopicPartition(TOPIC, 2));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(r -> ids.add(ExchangeCodec.decode(r.value()).id()));
      }
    }
    assertThat(ids.size()).isGreaterThanOrEqualTo(atLeast);
    return ids;
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
