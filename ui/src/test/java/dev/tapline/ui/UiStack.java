package dev.tapline.ui;

import dev.tapline.core.ExchangeCodec;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * A {@code tapline up --demo}-style stack for tests: the shared Kafka broker, the example orders
 * service (v1 baseline, v2 sandbox), the capture proxy in front of them, and a recorder with the UI
 * installed, each on its own topics and a free loopback port.
 */
final class UiStack implements AutoCloseable {
  static final String SANDBOX_KEY = "orders-v2";
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String exchangesTopic = SharedKafka.uniqueTopic("ui.exchanges");
  final String driftTopic = SharedKafka.uniqueTopic("ui.drift");
  final OrdersService baseline;
  final OrdersService sandbox;
  final CaptureProxy proxy;
  final TaplineUi ui;
  final Recorder recorder;
  final @Nullable String token;
  private final Path dir;

  UiStack(@Nullable String token) throws IOException {
    this.token = token;
    this.dir = Files.createTempDirectory("tapline-ui-test");
    this.baseline = OrdersService.start(OrdersService.Version.V1, 0);
    this.sandbox = OrdersService.start(OrdersService.Version.V2, 0);
    this.proxy = CaptureProxy.start(ProxyConfig.builder()
        .service("orders")
        .baseline(baseline.baseUri())
        .sandbox(SANDBOX_KEY, sandbox.baseUri())
        .kafkaBootstrap(SharedKafka.bootstrap())
        .topic(exchangesTopic)
        .capture(CapturePolicy.ALL)
        .listen("127.0.0.1", 0)
        .admin(null, 0)
        .build());
    this.ui = TaplineUi.create(UiOptions.builder()
        .token(token)
        .kafka(SharedKafka.bootstrap())
        .driftTopic(driftTopic)
        .proxyUrl(proxy.uri().toString())
        .build());
    this.recorder = Recorder.start(ui.install(RecorderConfig.builder()
            .kafka(SharedKafka.bootstrap())
            .topic(exchangesTopic)
            .dlqTopic(exchangesTopic + ".dlq")
            .groupId("g-" + exchangesTopic)
            .indexDir(dir.resolve("index"))
            .http("127.0.0.1", 0)
            .refreshInterval(Duration.ofMillis(100))
            // One index thread: with several, a refresh can make higher ingest sequence numbers
            // visible before lower ones and the live stream skips the lower ones (reported to the
            // recorder's owner); the 500/s scenario would then miss rows.
            .indexThreads(1)
            .commitInterval(Duration.ofMillis(500))
            .token(token))
        .build());
  }

  String url(String pathAndFragment) {
    return recorder.baseUri() + pathAndFragment;
  }

  /** Sends a request through the capture proxy; {@code routingKey} null means baseline traffic. */
  HttpResponse<String> send(String method, String path, @Nullable String routingKey, @Nullable String json,
      String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri().resolve(path)).timeout(Duration.ofSeconds(10))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (routingKey != null) {
      b.header("sd-routing-key", routingKey);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Publishes one drift.json document, as {@code tapline replay} does. */
  void publishDrift(String runId, String json) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(driftTopic, runId.getBytes(StandardCharsets.UTF_8),
          json.getBytes(StandardCharsets.UTF_8)));
      producer.flush();
    }
  }

  /** GET on the recorder, with the token when there is one. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String json(Object o) {
    try {
      return ExchangeCodec.mapper().writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    recorder.close();
    ui.close();
    proxy.close();
    sandbox.close();
    baseline.close();
    SharedKafka.deleteTree(dir);
  }
}
