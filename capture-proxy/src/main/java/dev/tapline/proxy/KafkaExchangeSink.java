package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink. When a send cannot even be queued (no metadata within {@code max.block.ms}, full
 * buffer), the broker is taken as unreachable for a second: captures in that second are dropped at
 * once instead of each waiting {@code max.block.ms}, so a dead broker costs the publisher nothing.
 * Every failure of an accepted send, the broker's or this sink's, is reported as a broker error.
 */
final class KafkaExchangeSink implements ExchangeSink {
  private static final Logger log = LoggerFactory.getLogger(KafkaExchangeSink.class);
  private static final byte[] SCHEMA = String.valueOf(Exchange.SCHEMA_VERSION).getBytes(StandardCharsets.UTF_8);
  private static final byte[] JSON = ExchangeCodec.ENCODING.getBytes(StandardCharsets.UTF_8);
  private static final long BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Duration WARM_UP = Duration.ofSeconds(5);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final String bootstrap;
  private final CompletableFuture<Void> warmUp;
  // Only the publisher thread reads and writes this.
  private long unreachableUntil = System.nanoTime();
  private boolean sending;
  private boolean rejected;

  KafkaExchangeSink(KafkaSettings kafka, String topic, Map<String, Object> overrides) {
    this.bootstrap = kafka.describe();
    this.topic = topic;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Fewer, larger produce requests: at 10k captures/s a 1 MiB batch over 20 ms costs the broker a
    // third of the CPU per capture that 256 KiB over 5 ms did (docs/BENCHMARKS.md).
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 100);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tapline-proxy");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.putAll(overrides);
    this.producer = new KafkaProducer<>(kafka.clientProperties(p));
    this.warmUp = CompletableFuture.runAsync(this::fetchMetadata);
  }

  /**
   * Fetches the topic's metadata (creating the topic where the broker auto-creates), retrying for up
   * to {@link #WARM_UP}: the first sends would otherwise hit max.block.ms before a fresh topic exists.
   */
  private void fetchMetadata() {
    long deadline = System.nanoTime() + WARM_UP.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (!producer.partitionsFor(topic).isEmpty()) {
          return;
        }
      } catch (KafkaException e) {
        // not there yet: the broker may be starting, or the topic being created
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      }
    }
  }

  @Override
  public boolean offer(Exchange exchange, Consumer<Delivery> done) {
    try {
      return send(exchange, done);
    } catch (RuntimeException e) {
      // Not a broker that cannot be reached (that is a drop) but a send that went wrong here.
      log.warn("sink {} failed on exchange {}: {}", describe(), exchange.id(), e.toString());
      done.accept(new Delivery.Failed(e, true));
      return true;
    }
  }

  private boolean send(Exchange exchange, Consumer<Delivery> done) {
    if (!warmUp.isDone()) {
      // Only the publisher thread waits here, once, at start; captures queue meanwhile.
      warmUp.join();
    }
    long now = System.nanoTime();
    if (now - unreachableUntil < 0) {
      return false;
    }
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
        exchange.partitionKey().getBytes(StandardCharsets.UTF_8), ExchangeCodec.encode(exchange));
    record.headers().add(ExchangeCodec.SCHEMA_HEADER, SCHEMA);
    record.headers().add(ExchangeCodec.ENCODING_HEADER, JSON);
    Thread sender = Thread.currentThread();
    rejected = false;
    sending = true;
    try {
      producer.send(record, (meta, e) -> {
        // No metadata within max.block.ms or a full buffer is reported through the callback, on the
        // sending thread, before send() returns: that is "not accepted", not a delivery failure.
        if (Thread.currentThread() == sender && sending && e instanceof TimeoutException) {
          rejected = true;
          return;
        }
        done.accept(e == null ? Delivery.DELIVERED : new Delivery.Failed(e, true));
      });
    } catch (KafkaException e) {
      rejected = true;
    } finally {
      sending = false;
    }
    if (rejected) {
      unreachableUntil = System.nanoTime() + BACKOFF_NANOS;
      return false;
    }
    return true;
  }

  @Override
  public CompletableFuture<Void> close() {
    return warmUp.handle((v, e) -> null).thenRunAsync(() -> producer.close(Duration.ofSeconds(5)));
  }

  @Override
  public String describe() {
    return "kafka " + bootstrap + " topic " + topic;
  }
}
