package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.kafka.KafkaSettings;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where captured (already redacted) exchanges go. The proxy calls {@link #offer} from one publisher
 * thread, never from an event loop, so a sink may do moderate work (encoding) but must not block
 * for long: when it cannot take an exchange now it returns false and the proxy counts a drop.
 *
 * <pre>{@code
 * ExchangeSink kafka = ExchangeSink.kafka("127.0.0.1:9092", Topics.EXCHANGES);
 * ExchangeSink list  = ExchangeSink.custom(exchanges::add);
 * ExchangeSink none  = ExchangeSink.discarding();
 * }</pre>
 */
public interface ExchangeSink {

  /**
   * Hands over one exchange.
   *
   * @param done called once, later or at once, with how the delivery ended; the proxy counts a
   *     {@link Delivery.Delivered} as captured, a {@link Delivery.Failed} as failed
   * @return false when the exchange was not accepted (full buffer, broker unreachable): a drop;
   *     {@code done} is then not called. A sink that throws instead has the exchange counted as
   *     failed.
   */
  boolean offer(Exchange exchange, Consumer<Delivery> done);

  /** Flushes what was accepted (within a bounded time) and releases resources. */
  default CompletableFuture<Void> close() {
    return CompletableFuture.completedFuture(null);
  }

  /** A short description for logs, e.g. {@code kafka 127.0.0.1:9092 topic tapline.exchanges}. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /** How the delivery of one accepted exchange ended. */
  sealed interface Delivery {
    /** The one {@link Delivered} a sink needs. */
    Delivered DELIVERED = new Delivered();

    /** The exchange reached its destination (for Kafka: acknowledged by the broker). */
    record Delivered() implements Delivery {}

    /**
     * The exchange was accepted but did not arrive.
     *
     * @param brokerError the broker, or the way to it, failed the send (counted as a Kafka send
     *     error as well)
     */
    record Failed(Throwable cause, boolean brokerError) implements Delivery {
      public Failed {
        requireNonNull(cause, "cause");
      }
    }
  }

  /**
   * Publishes to Kafka: key {@code Exchange.partitionKey()}, value {@code ExchangeCodec.encode},
   * schema and content-type headers; idempotent producer, {@code acks=all}, lz4-compressed batches,
   * and sends that never block the publisher for more than ~100 ms while the broker is unreachable.
   */
  static ExchangeSink kafka(String bootstrapServers, String topic) {
    return kafka(KafkaSettings.of(bootstrapServers), topic);
  }

  /** As {@link #kafka(String, String)}, reaching Kafka as {@code settings} say (TLS, SASL, client properties). */
  static ExchangeSink kafka(KafkaSettings settings, String topic) {
    return new KafkaExchangeSink(settings, topic, Map.of());
  }

  /** As {@link #kafka(String, String)}, with extra producer properties that override the defaults. */
  static ExchangeSink kafka(String bootstrapServers, String topic, Map<String, Object> producerOverrides) {
    return new KafkaExchangeSink(KafkaSettings.of(bootstrapServers), topic, producerOverrides);
  }

  /** Accepts and forgets everything (capture disabled). */
  static ExchangeSink discarding() {
    return new ExchangeSink() {
      @Override
      public boolean offer(Exchange exchange, Consumer<Delivery> done) {
        done.accept(Delivery.DELIVERED);
        return true;
      }

      @Override
      public String describe() {
        return "discarding";
      }
    };
  }

  /** Calls {@code consumer} for each exchange; an exception it throws counts as a failed capture. */
  static ExchangeSink custom(Consumer<Exchange> consumer) {
    requireNonNull(consumer, "consumer");
    return new ExchangeSink() {
      @Override
      public boolean offer(Exchange exchange, Consumer<Delivery> done) {
        try {
          consumer.accept(exchange);
          done.accept(Delivery.DELIVERED);
        } catch (RuntimeException e) {
          done.accept(new Delivery.Failed(e, false));
        }
        return true;
      }

      @Override
      public String describe() {
        return "custom";
      }
    };
  }
}
