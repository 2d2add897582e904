package dev.tapline.cli;

import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.kafka.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tapline tail}: print captured exchanges from the topic as NDJSON. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    header = "Prints captured exchanges from the Kafka topic as NDJSON, one whole exchange per line.",
    description = {
      "Follows new exchanges until Ctrl-C, or stops after --limit. Records that are not",
      "exchanges are reported on stderr and skipped."
    })
final class TailCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP", description = "Kafka bootstrap servers, e.g. 127.0.0.1:9092.")
  String kafka;

  @Option(names = "--topic", defaultValue = Topics.EXCHANGES, paramLabel = "T", description = "Topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--from-beginning", description = "Start at the oldest exchange instead of new ones.")
  boolean fromBeginning;

  @Option(names = "--limit", paramLabel = "N", description = "Stop after N exchanges.")
  @Nullable Integer limit;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "With --limit or --from-beginning: stop when nothing arrives for this long (e.g. 10s).")
  @Nullable String idleTimeout;

  @Override
  public Integer call() {
    if (limit != null && limit < 1) {
      throw new UsageException("--limit must be at least 1: " + limit);
    }
    Duration idle = idleTimeout == null ? null : Durations.parse("--idle-timeout", idleTimeout);
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
        ConsumerConfig.GROUP_ID_CONFIG, "tapline-tail-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    AtomicBoolean stopping = new AtomicBoolean();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Thread main = Thread.currentThread();
      Thread hook = new Thread(() -> {
        stopping.set(true);
        consumer.wakeup();
        try {
          main.join(5000);
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }, "tail-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        consumer.partitionsFor(topic, Duration.ofSeconds(15));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        System.err.println("tapline tail: no Kafka answering at " + kafka + " (" + e.getMessage() + ")");
        return 3;
      }
      consumer.subscribe(List.of(topic));
      OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
      int seen = 0;
      long lastRecord = System.nanoTime();
      try {
        while (!stopping.get()) {
          var records = consumer.poll(Duration.ofMillis(500));
          for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
              ExchangeCodec.write(ExchangeCodec.decode(r.value()), out);
              out.write('\n');
            } catch (ExchangeCodec.DecodeException e) {
              System.err.println("tapline tail: skipped " + r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
              continue;
            }
            seen++;
            if (limit != null && seen >= limit) {
              out.flush();
              return 0;
            }
          }
          out.flush();
          if (!records.isEmpty()) {
            lastRecord = System.nanoTime();
          } else if (idle != null && System.nanoTime() - lastRecord > idle.toNanos()) {
            return 0;
          }
        }
      } catch (WakeupException e) {
        // Ctrl-C
      } finally {
        out.flush();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
          // already shutting down
        }
      }
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
