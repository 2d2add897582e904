package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.testing.TestExchanges;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

class RecorderAndExportCommandTest {
  @TempDir Path dir;

  @Test
  void exportWritesTheMatchingExchangesAsNdjsonToAFile() throws Exception {
    String topic = SharedKafka.uniqueTopic("cli-export");
    List<Exchange> produced = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      produced.add(TestExchanges.getOrder(100 + i, i % 5 == 0 ? 404 : 200));
    }
    // Create the topic first: auto-creation races with an idempotent producer's first send.
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
      for (Exchange e : produced) {
        p.send(new ProducerRecord<>(topic, e.partitionKey().getBytes(StandardCharsets.UTF_8), ExchangeCodec.encode(e)));
      }
      p.flush();
    }
    try (Recorder r = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic)
        .groupId("g-" + topic).indexDir(dir.resolve("index")).build())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.index().size() == produced.size());
      Path out = dir.resolve("out/errors.ndjson");
      int rc = Main.run("export", "--from", r.baseUri().toString(), "--query", "status:404", "--out", out.toString());
      assertThat(rc).isEqualTo(0);
      List<Exchange> lines = Files.readAllLines(out).stream().map(ExchangeCodec::decode).toList();
      assertThat(lines).containsExactlyInAnyOrderElementsOf(produced.stream().filter(e -> e.status() == 404).toList());

      assertThat(Main.run("export", "--from", r.baseUri().toString(), "--query", "status:[1 TO", "--out", out.toString()))
          .isEqualTo(2);
    }
  }

  @Test
  void badFlagsAreUsageErrors() {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("recorder", "--kafka", "127.0.0.1:1", "--index-dir", dir.toString(), "--retention", "5x")).isEqualTo(2);
      assertThat(Main.run("recorder", "--kafka", "127.0.0.1:1", "--index-dir", dir.toString(), "--http", "nope")).isEqualTo(2);
      assertThat(Main.run("recorder", "--index-dir", dir.toString())).isEqualTo(2);
      assertThat(Main.run("export", "--from", "not a url")).isEqualTo(2);
    } finally {
      System.setErr(original);
    }
    assertThat(Durations.positive("--retention", "12h")).isEqualTo(Duration.ofHours(12));
    assertThat(Durations.positive("--retention", "30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.positive("--retention", "PT2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.positive("--retention", "2w")).isEqualTo(Duration.ofDays(14));
  }
}
