package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growth past one machine: several proxies write to one topic of several partitions. The record key
 * {@code service|routingKey} puts every exchange of a sandbox in one partition, in the order each
 * proxy captured it, and the recorder indexes every exchange exactly once.
 */
class ManyProxiesTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final int PROXIES = 3;
  static final int PARTITIONS = 6;
  static final int KEYS = 12;
  static final int PER_KEY = 40;
  static final int BASELINE = 60;

  @TempDir Path dir;

  /** One record as it sits in the topic. */
  record Placed(int partition, long offset, Exchange exchange) {}

  @Test
  void threeProxiesSixPartitionsEveryExchangeIndexedOnceAndEachSandboxInOrder() throws Exception {
    String topic = SharedKafka.uniqueTopic("many-proxies");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", ex -> {
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    upstream.start();
    List<CaptureProxy> proxies = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(KEYS + 1);
    try (Recorder recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic)
        .groupId("g-" + topic).indexDir(dir.resolve("index")).build())) {
      for (int i = 0; i < PROXIES; i++) {
        proxies.add(CaptureProxy.start(ProxyConfig.builder()
            .service("orders")
            .baseline(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()))
            .kafkaBootstrap(SharedKafka.bootstrap())
            .topic(topic)
            .capture(CapturePolicy.ALL)
            .proxyId("proxy-" + i)
            .build()));
      }
      // Each sandbox's client sends its requests one after another, each through the next proxy.
      List<Future<?>> sent = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        String key = "sandbox-" + k;
        sent.add(clients.submit(() -> {
          for (int n = 0; n < PER_KEY; n++) {
            send(proxies.get(n % PROXIES), "/orders/" + key + "/" + n, key);
          }
          return null;
        }));
      }
      sent.add(clients.submit(() -> {
        for (int n = 0; n < BASELINE; n++) {
          send(proxies.get(n % PROXIES), "/orders/baseline/" + n, null);
        }
        return null;
      }));
      for (Future<?> f : sent) {
        f.get(120, TimeUnit.SECONDS);
      }
      int total = KEYS * PER_KEY + BASELINE;

      List<Placed> topicRecords = read(topic, total);
      Set<String> topicIds = new HashSet<>();
      topicRecords.forEach(p -> topicIds.add(p.exchange().id()));
      assertThat(topicIds).as("one record per exchange").hasSize(total);

      // One partition per sandbox (and for the baseline), and in it each proxy's captures in order.
      Map<String, Set<Integer>> partitionsOfKey = new TreeMap<>();
      Map<String, List<Placed>> byKeyAndProxy = new HashMap<>();
      for (Placed p : topicRecords) {
        String key = String.valueOf(p.exchange().routingKey());
        partitionsOfKey.computeIfAbsent(key, x -> new HashSet<>()).add(p.partition());
        byKeyAndProxy.computeIfAbsent(key + " via " + p.exchange().proxy(), x -> new ArrayList<>()).add(p);
      }
      assertThat(partitionsOfKey).hasSize(KEYS + 1);
      partitionsOfKey.forEach((key, parts) -> assertThat(parts).as("partitions of " + key).hasSize(1));
      Set<Integer> used = new HashSet<>();
      partitionsOfKey.values().forEach(used::addAll);
      assertThat(used).as("the sandboxes spread over the partitions").hasSizeGreaterThan(2);
      assertThat(byKeyAndProxy).hasSize((KEYS + 1) * PROXIES);
      byKeyAndProxy.forEach((keyAndProxy, records) -> {
        List<Integer> sequence = records.stream()
            .sorted((a, b) -> Long.compare(a.offset(), b.offset()))
            .map(p -> Integer.parseInt(p.exchange().request().path().substring(p.exchange().request().path().lastIndexOf('/') + 1)))
            .toList();
        assertThat(sequence).as("order of " + keyAndProxy + " by offset").isSorted();
      });

      // The recorder holds every exchange of the topic, once.
      await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == total);
      HttpResponse<String> export = HTTP.send(HttpRequest.newBuilder(recorder.baseUri().resolve("/api/export")).build(),
          HttpResponse.BodyHandlers.ofString());
      List<String> exportedIds = export.body().lines()
          .map(l -> ExchangeCodec.decode(l.getBytes(StandardCharsets.UTF_8)).id()).toList();
      assertThat(exportedIds).hasSize(total);
      assertThat(new HashSet<>(exportedIds)).isEqualTo(topicIds);
    } finally {
      clients.shutdownNow();
      proxies.forEach(CaptureProxy::close);
      upstream.stop(0);
    }
  }

  private static void send(CaptureProxy proxy, String path, String routingKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri().resolve(path));
    if (routingKey != null) {
      b.header("baggage", "sd-routing-key=" + routingKey);
    }
    assertThat(HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
  }

  /** Every record of the topic with its partition and offset, once {@code expected} have arrived. */
  private static List<Placed> read(String topic, int expected) {
    Map<String, Object> p = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<Placed> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          Exchange e = ExchangeCodec.decode(r.value());
          assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.partitionKey());
          out.add(new Placed(r.partition(), r.offset(), e));
        }
      }
    }
    assertThat(out).hasSize(expected);
    return out;
  }
}
