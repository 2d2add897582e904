package dev.tapline.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DriftRunsTest {

  private static void publish(String topic, String... values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
    try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String v : values) {
        producer.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  @Test
  void readsRunsPublishedBeforeAndAfterItStartsNewestFirst() {
    String topic = SharedKafka.uniqueTopic("drift");
    publish(topic, DriftDocs.run("run-1", "2026-11-26T10:00:00Z", "pass", "a"));
    try (DriftRuns runs = new DriftRuns(KafkaSettings.of(SharedKafka.bootstrap()), topic, 10).start()) {
      publish(topic, DriftDocs.run("run-2", "2026-11-26T10:05:00Z", "drift", "b"));
      await().atMost(Duration.ofSeconds(20)).until(() -> runs.summaries().size() == 2);
      assertThat(runs.summaries()).extracting(n -> n.get("runId").asText()).containsExactly("run-2", "run-1");
      assertThat(runs.summaries().getFirst().has("endpoints")).as("summaries leave out endpoints").isFalse();
      assertThat(runs.run("run-2")).get().satisfies(r -> assertThat(r.get("endpoints").size()).isEqualTo(3));
      assertThat(runs.run("nope")).isEmpty();
    }
  }

  @Test
  void keepsOnlyTheNewestRunsAndSkipsRecordsThatAreNotDriftDocuments() {
    String topic = SharedKafka.uniqueTopic("drift");
    publish(topic,
        DriftDocs.run("old", "2026-11-26T10:00:00Z", "pass", "a"),
        "not json",
        "{\"v\":2,\"runId\":\"future\"}",
        "{\"v\":1}",
        DriftDocs.run("mid", "2026-11-26T10:10:00Z", "pass", "a"),
        DriftDocs.run("new", "2026-11-26T10:20:00Z", "drift", "a"),
        DriftDocs.run("mid", "2026-11-26T10:10:00Z", "drift", "a"));
    try (DriftRuns runs = new DriftRuns(KafkaSettings.of(SharedKafka.bootstrap()), topic, 2).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> runs.skipped() == 3 && runs.summaries().size() == 2
          && runs.run("mid").map(r -> r.get("verdict").asText().equals("drift")).orElse(false));
      assertThat(runs.summaries()).extracting(n -> n.get("runId").asText()).containsExactly("new", "mid");
    }
  }
}
