package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.testing.TestExchanges;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import dev.tapline.replay.DriftReport;
import dev.tapline.replay.ReplayOptions;
import dev.tapline.replay.Replayer;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import dev.tapline.ui.TaplineUi;
import dev.tapline.ui.UiOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One endpoint identity across the stages: the same exchanges fed to the recorder (through Kafka),
 * testgen and replay give the same method + path templates, and the UI generates tests for a
 * template the recorder's catalog listed, through a token-protected recorder.
 */
class EndpointIdentityTest {
  private static final String TOKEN = "identity-secret";
  @TempDir Path dir;

  private static List<Exchange> traffic() {
    return List.of(
        TestExchanges.getOrder(11, 200),
        TestExchanges.getOrder(12, 404),
        get("/orders/reports/2026-01-01/2026-02-01"),
        get("/orders/reports/2026-01-02/2026-02-02"),
        get("/owners/7/pets/12"),
        get("/owners/3/pets/5"),
        get("/api/v2/things/0190b1a2-0000-7000-8000-000000000001/parts/3"));
  }

  private static Exchange get(String path) {
    return TestExchanges.exchange("GET", path, null, Body.empty(), 200,
        Body.text("application/json", "{\"ok\":true}"), null);
  }

  @Test
  void recorderTestgenReplayAndTheUiAgreeOnEveryEndpoint() throws Exception {
    List<Exchange> traffic = traffic();
    String topic = SharedKafka.uniqueTopic("identity");
    publish(topic, traffic);
    UiOptions uiOptions = UiOptions.builder().token(TOKEN).build();
    try (TaplineUi ui = TaplineUi.create(uiOptions);
        Recorder recorder = Recorder.start(ui.install(RecorderConfig.builder().kafka(SharedKafka.bootstrap())
            .topic(topic).groupId("g-" + topic).indexDir(dir.resolve("index")).token(TOKEN)).build());
        OrdersService service = OrdersService.start(OrdersService.Version.V1, 0)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> recorder.index().size() == traffic.size());
      RecorderClient client = RecorderClient.builder(recorder.baseUri().toString()).token(TOKEN).build();
      TreeSet<String> recorded = new TreeSet<>();
      for (EndpointStats e : client.endpoints(null, null)) {
        recorded.add(e.method() + " " + e.template());
      }

      TreeSet<String> generated = new TreeSet<>();
      GenerationResult g = TestGenerator.create(GeneratorOptions.builder("x.y").build()).generate(traffic);
      g.endpoints().forEach(e -> generated.add(e.method() + " " + e.pathTemplate()));

      TreeSet<String> replayed = new TreeSet<>();
      DriftReport r = Replayer.create(ReplayOptions.builder()
          .baselineAndSandbox(service.baseUri(), service.baseUri()).build()).replay(traffic);
      r.endpoints().forEach(e -> replayed.add(e.method() + " " + e.template()));

      assertThat(recorded).contains("GET /orders/reports/{reportDate}/{date}", "GET /owners/{ownerId}/pets/{petId}",
          "GET /orders/{orderId}", "GET /api/v2/things/{thingId}/parts/{partId}");
      assertThat(generated).isEqualTo(recorded);
      assertThat(replayed).isEqualTo(recorded);

      // The UI's "Generate tests" sends the catalog's template back and gets files for it.
      HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(recorder.baseUri() + "/api/generate"))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"service\":\"orders\",\"method\":\"GET\",\"template\":\"/orders/reports/{reportDate}/{date}\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
      JsonNode out = ExchangeCodec.mapper().readTree(resp.body());
      assertThat(out.get("exchanges").asInt()).isEqualTo(2);
      assertThat(out.get("files").size()).isPositive();
    }
  }

  @Test
  void generateSpecReplayAndExportReadATokenProtectedRecorder() throws Exception {
    List<Exchange> traffic = traffic();
    String topic = SharedKafka.uniqueTopic("identity-token");
    publish(topic, traffic);
    try (Recorder recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap())
            .topic(topic).groupId("g-" + topic).indexDir(dir.resolve("index")).token(TOKEN).build());
        OrdersService service = OrdersService.start(OrdersService.Version.V1, 0)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> recorder.index().size() == traffic.size());
      String from = recorder.baseUri().toString();
      Path tokenFile = java.nio.file.Files.writeString(dir.resolve("token"), TOKEN + "\n");

      assertThat(Main.run("generate", "--from", from, "--out", dir.resolve("gen").toString(), "--package", "a.b"))
          .as("without a token").isEqualTo(2);
      assertThat(Main.run("generate", "--from", from, "--token", TOKEN, "--out", dir.resolve("gen").toString(),
          "--package", "a.b")).isZero();
      assertThat(Main.run("spec", "--from", from, "--token-file", tokenFile.toString(),
          "--out", dir.resolve("openapi.yaml").toString())).isZero();
      assertThat(Main.run("export", "--from", from, "--token", TOKEN, "--out", dir.resolve("all.ndjson").toString()))
          .isZero();
      assertThat(Main.run("replay", "--from", from, "--token", TOKEN, "--baseline", service.baseUri().toString(),
          "--sandbox", service.baseUri().toString(), "--report-dir", dir.resolve("reports").toString())).isZero();
      assertThat(Main.run("spec", "--from", from, "--token", TOKEN, "--token-file", tokenFile.toString(),
          "--out", dir.resolve("x.yaml").toString())).as("both ways at once").isEqualTo(2);
    }
  }

  private static void publish(String topic, List<Exchange> exchanges) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
      for (Exchange e : exchanges) {
        p.send(new ProducerRecord<>(topic, e.partitionKey().getBytes(StandardCharsets.UTF_8), ExchangeCodec.encode(e)));
      }
      p.flush();
    }
  }
}
