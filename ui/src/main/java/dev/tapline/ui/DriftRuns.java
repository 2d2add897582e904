package dev.tapline.ui;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most recent drift runs, read from the drift topic from its beginning and kept in memory.
 * Each record value is one replay's {@code drift.json}; a later record with the same {@code runId}
 * replaces the earlier one. The consumer uses a group of its own and never commits, so every
 * viewer sees the whole topic and does not disturb other consumers.
 */
final class DriftRuns implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DriftRuns.class);
  private static final Comparator<JsonNode> NEWEST_FIRST =
      Comparator.comparing((JsonNode n) -> n.path("startedAt").asText("")).reversed();

  private final String topic;
  private final int max;
  private final Map<String, ObjectNode> runs = new LinkedHashMap<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;
  private volatile long skipped;

  DriftRuns(KafkaSettings kafka, String topic, int max) {
    this.topic = requireNonNull(topic, "topic");
    this.max = max;
    Properties p = new Properties();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "tapline-ui-drift-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tapline-ui-drift");
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000"); // notice the topic soon after it appears
    this.consumer = new KafkaConsumer<>(requireNonNull(kafka, "kafka").clientProperties(p),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().daemon().name("tapline-ui-drift").unstarted(this::run);
  }

  DriftRuns start() {
    thread.start();
    return this;
  }

  String topic() {
    return topic;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic));
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      if (!closed) {
        log.warn("drift results from topic {} are no longer read: {}", topic, e.toString());
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  /** Keeps one drift.json document; a record that is not one is logged and skipped. */
  void accept(byte @org.jspecify.annotations.Nullable [] value, String where) {
    if (value == null) {
      return;
    }
    JsonNode doc;
    try {
      doc = ExchangeCodec.mapper().readTree(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      skip(where, "not JSON: " + e.getOriginalMessage());
      return;
    } catch (java.io.IOException e) {
      skip(where, "not JSON: " + e.getMessage());
      return;
    }
    if (!(doc instanceof ObjectNode obj)) {
      skip(where, "not a JSON object");
      return;
    }
    if (obj.path("v").asInt(0) != 1) {
      skip(where, "field v must be 1, was " + obj.path("v"));
      return;
    }
    String runId = obj.path("runId").asText("");
    if (runId.isEmpty()) {
      skip(where, "field runId is missing");
      return;
    }
    synchronized (runs) {
      runs.remove(runId);
      runs.put(runId, obj);
      while (runs.size() > max) {
        // Drop the oldest run by start time, not by arrival: a late re-publish stays.
        String oldest = runs.values().stream().min(NEWEST_FIRST.reversed())
            .map(n -> n.path("runId").asText()).orElseThrow();
        runs.remove(oldest);
      }
    }
  }

  private void skip(String where, String why) {
    skipped++;
    log.warn("skipped drift record {}: {}", where, why);
  }

  long skipped() {
    return skipped;
  }

  /** Summaries (everything but the endpoints), newest run first. */
  List<ObjectNode> summaries() {
    List<ObjectNode> out = new ArrayList<>();
    synchronized (runs) {
      for (ObjectNode run : runs.values()) {
        ObjectNode s = run.deepCopy();
        s.remove("endpoints");
        out.add(s);
      }
    }
    out.sort(NEWEST_FIRST);
    return out;
  }

  Optional<ObjectNode> run(String runId) {
    synchronized (runs) {
      ObjectNode n = runs.get(runId);
      return Optional.ofNullable(n == null ? null : n.deepCopy());
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
