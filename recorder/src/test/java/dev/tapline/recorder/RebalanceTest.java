package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Ids;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder decodes the next batch while it indexes the one before: when a rebalance takes its
 * partitions away, the batch in hand must be indexed and committed first, and when the partitions
 * come back (with records produced meanwhile) it must go on from its own index, neither skipping
 * nor re-reading a record.
 */
class RebalanceTest {
  @TempDir Path dir;

  @Test
  void partitionsTakenAwayAndGivenBackLoseAndRepeatNothing() throws Exception {
    String topic = SharedKafka.uniqueTopic("rebalance");
    int n = 12_000;
    List<Exchange> all = new ArrayList<>(n);
    long now = Ids.nowMicros();
    for (int i = 0; i < n; i++) {
      // Many partition keys, so that each of the 3 partitions holds a share of the backlog.
      all.add(Fixtures.exchange("service-" + i % 30, i % 3 == 0 ? "ann" : null, "POST", "/orders/" + i, 201,
          "{\"sku\":\"A-" + i + "\"}", "{\"id\":" + i + "}", now - n + i));
    }
    Fixtures.produce(topic, all.subList(0, n / 2));

    RecorderConfig config = Fixtures.config(topic, dir.resolve("index")).batchSize(100).build();
    try (Recorder r = Recorder.start(config)) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> indexed(r) >= 1_000);

      // Another member of the group takes some partitions, then leaves and they come back.
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      try (KafkaConsumer<byte[], byte[]> other = new KafkaConsumer<>(p)) {
        other.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          other.poll(Duration.ofMillis(100));
          return !other.assignment().isEmpty();
        });
        assertThat(other.assignment()).as("the other member holds part of the topic").hasSizeBetween(1, 2);
        // The rest arrives while those partitions are away from the recorder.
        Fixtures.produce(topic, all.subList(n / 2, n));
        other.poll(Duration.ofMillis(300));
      }

      await().atMost(Duration.ofSeconds(120)).until(() -> r.index().size() >= n);
      await().atMost(Duration.ofSeconds(30)).until(() -> r.metricsText().contains("tapline_recorder_consumer_lag 0.0"));
      r.index().refresh();
      ByteArrayOutputStream export = new ByteArrayOutputStream();
      long written = r.index().export(null, export);
      List<String> ids = export.toString(StandardCharsets.UTF_8).lines().map(l -> ExchangeCodec.decode(l).id()).toList();
      Set<String> expected = new HashSet<>();
      all.forEach(e -> expected.add(e.id()));
      assertThat(written).isEqualTo(n);
      assertThat(new HashSet<>(ids)).hasSize(n).isEqualTo(expected);
      // Each record was added to the index once: none was read again after the partitions came back.
      assertThat(indexed(r)).isEqualTo(n);
    }
  }

  private static long indexed(Recorder r) {
    return Fixtures.indexedTotal(r.metricsText());
  }
}
