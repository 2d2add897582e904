package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.Ids;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's {@code /healthz} and lag tell the truth: the lag is the broker's (end offsets minus
 * what is indexed), so it is not 0 while the recorder waits for its partitions, and a recorder that
 * stays behind, or cannot reach the broker, says {@code degraded}.
 */
class RecorderHealthTest {
  @TempDir Path dir;

  static JsonNode health(Recorder r) {
    HttpResponse<String> h = Fixtures.get(r.baseUri(), "/healthz");
    assertThat(h.statusCode()).as("degraded is still 200: searches answer").isEqualTo(200);
    return Fixtures.json(h);
  }

  @Test
  void countsTheBrokersLagWhileItWaitsForPartitionsAndSaysDegradedUntilItCatchesUp() throws Exception {
    String topic = SharedKafka.uniqueTopic("waiting");
    List<Exchange> all = new ArrayList<>();
    long now = Ids.nowMicros();
    for (int i = 0; i < 500; i++) {
      all.add(Fixtures.exchange("s" + i % 5, null, "GET", "/w/" + i, 200, "", "{}", now + i));
    }
    Fixtures.produce(topic, all);
    RecorderConfig config = Fixtures.config(topic, dir.resolve("index")).lagTolerance(Duration.ofSeconds(2)).build();

    // Another member holds every partition and stops polling: the recorder's join waits for it.
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "60000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (Recorder r = startWhileAnotherMemberHoldsThePartitions(p, config, topic)) {
      assertThat(r.index().size()).isZero();
      await().atMost(Duration.ofSeconds(15)).until(() -> r.metricsText().contains("tapline_recorder_consumer_lag 500.0"));
      await().atMost(Duration.ofSeconds(15)).until(() -> health(r).path("status").asText().equals("degraded"));
      JsonNode h = health(r);
      assertThat(h.path("lag").asLong()).isEqualTo(500);
      assertThat(h.path("reasons").toString()).contains("indexing lags the broker: 500 record(s) not indexed yet");

      other.close(); // leaves the group: the recorder gets the partitions
      other = null;
      await().atMost(Duration.ofSeconds(60)).until(() -> r.index().size() == 500);
      await().atMost(Duration.ofSeconds(15)).until(() -> health(r).path("status").asText().equals("ok"));
      assertThat(r.metricsText()).contains("tapline_recorder_consumer_lag 0.0");
    } finally {
      if (other != null) {
        other.close();
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> other;

  private Recorder startWhileAnotherMemberHoldsThePartitions(Properties p, RecorderConfig config, String topic) {
    other = new KafkaConsumer<>(p);
    other.subscribe(List.of(topic));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      other.poll(Duration.ofMillis(100));
      return other.assignment().size() == 3;
    });
    return Recorder.start(config);
  }

  @Test
  void saysDegradedWhenTheBrokerCannotBeReached() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Recorder r = Recorder.start(RecorderConfig.builder().kafka("127.0.0.1:" + port).indexDir(dir.resolve("index"))
        .build())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> health(r).path("status").asText().equals("degraded"));
      assertThat(health(r).path("reasons").toString()).contains("broker unreachable");
    }
  }
}
