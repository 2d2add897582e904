package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoisonRecordTest {
  @TempDir Path dir;

  @Test
  void undecodableRecordsGoToTheDeadLetterTopicWithTheReasonAndNewerVersionsAreIndexed() throws Exception {
    String topic = SharedKafka.uniqueTopic("poison");
    Exchange before = exchange("orders", null, "GET", "/orders/1", 200, "", "{\"id\":1}", dev.tapline.core.Ids.nowMicros() - 3_000_000L);
    Exchange after = exchange("orders", null, "GET", "/orders/2", 200, "", "{\"id\":2}", dev.tapline.core.Ids.nowMicros() - 2_000_000L);
    Exchange future = exchange("orders", null, "GET", "/orders/3", 200, "", "{\"id\":3}", dev.tapline.core.Ids.nowMicros() - 1_000_000L);
    ObjectNode v2 = (ObjectNode) ExchangeCodec.mapper().readTree(ExchangeCodec.encode(future));
    v2.put("v", 2);
    v2.putObject("cost").put("cpuMicros", 17);
    ((ObjectNode) v2.get("request")).put("protocol", "HTTP/3");

    Fixtures.createTopic(topic);
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer()) {
      byte[] key = "orders|".getBytes(StandardCharsets.UTF_8);
      p.send(Fixtures.record(topic, before));
      p.send(new ProducerRecord<>(topic, key, new byte[] {(byte) 0xff, 0x00, 0x13, 0x37}));
      p.send(new ProducerRecord<>(topic, key, "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8)));
      p.send(new ProducerRecord<>(topic, key, ExchangeCodec.mapper().writeValueAsBytes(v2)));
      p.send(Fixtures.record(topic, after));
      p.flush();
    }

    try (Recorder r = Recorder.start(Fixtures.config(topic, dir).build())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.index().size() == 3);
      assertThat(r.index().get(future.id())).hasValue(future);
      assertThat(r.index().get(after.id())).hasValue(after);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> r.metricsText().contains("tapline_recorder_dead_lettered_total 2.0"));

      List<ConsumerRecord<byte[], byte[]>> dead = readAll(topic + ".dlq", 2);
      assertThat(dead).hasSize(2);
      assertThat(dead.get(0).value()).containsExactly((byte) 0xff, 0x00, 0x13, 0x37);
      assertThat(header(dead.get(0), Ingestor.ERROR_HEADER)).startsWith("not JSON");
      assertThat(header(dead.get(0), Ingestor.SOURCE_HEADER)).startsWith(topic + "/");
      assertThat(header(dead.get(1), Ingestor.ERROR_HEADER)).contains("schema version");
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
