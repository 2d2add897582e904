package dev.tapline.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Shared test helpers: exchanges, a producer, an HTTP client. */
final class Fixtures {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Fixtures() {}

  static Exchange exchange(String service, String routingKey, String method, String path, int status,
      String requestBody, String responseBody, long startedAt) {
    return new Exchange(
        Ids.newId(), startedAt, 1000 + (long) (Math.random() * 1000), service, "test-proxy", routingKey,
        routingKey == null ? Exchange.BASELINE : Exchange.sandboxTarget(routingKey),
        null, null,
        new Request(method, "http", "orders.local:8080", path, null,
            Headers.of("Host", "orders.local:8080", "Accept", "application/json", "X-Trace-Note", "hello world"),
            requestBody.isEmpty() ? Body.empty() : Body.text("application/json", requestBody)),
        new Response(status, Headers.of("Content-Type", "application/json"),
            Body.text("application/json", responseBody)),
        null, List.of());
  }

  static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /**
   * Creates the topic (3 partitions) and waits until it has leaders. Relying on auto-creation races
   * with the first produce: an idempotent producer can then loop on OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  static synchronized void createTopic(String topic) {
    if (!CREATED.add(topic)) {
      return;
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()))) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + topic, e);
        }
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        var d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      });
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  private static final java.util.Set<String> CREATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static void produce(String topic, List<Exchange> exchanges) {
    createTopic(topic);
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      for (Exchange e : exchanges) {
        p.send(record(topic, e));
      }
      p.flush();
    }
  }

  static ProducerRecord<byte[], byte[]> record(String topic, Exchange e) {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, e.partitionKey().getBytes(StandardCharsets.UTF_8),
        ExchangeCodec.encode(e));
    r.headers().add(ExchangeCodec.SCHEMA_HEADER, "1".getBytes(StandardCharsets.UTF_8));
    r.headers().add(ExchangeCodec.ENCODING_HEADER, ExchangeCodec.ENCODING.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  static RecorderConfig.Builder config(String topic, Path indexDir) {
    createTopic(topic);
    return RecorderConfig.builder()
        .kafka(SharedKafka.bootstrap())
        .topic(topic)
        .dlqTopic(topic + ".dlq")
        .groupId("g-" + topic)
        .indexDir(indexDir);
  }

  static HttpResponse<String> get(URI base, String pathAndQuery, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static final java.util.regex.Pattern INDEXED = java.util.regex.Pattern.compile("tapline_recorder_indexed_total (\\d+)");

  /** tapline_recorder_indexed_total from Prometheus text, 0 before the first record. */
  static long indexedTotal(String metricsText) {
    java.util.regex.Matcher m = INDEXED.matcher(metricsText);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return ExchangeCodec.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + r.body(), e);
    }
  }

  static String q(String query) {
    return java.net.URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  static Map<String, String> none() {
    return Map.of();
  }
}
