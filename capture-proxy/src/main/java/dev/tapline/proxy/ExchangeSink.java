package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where captured (already redacted) exchanges go. The proxy calls {@link #offer} from one publisher
 * thread, never from an event loop, so a sink may do moderate work (encoding) but must not block
 * for long: when it cannot take an exchange now it reports it {@linkplain Delivery.Dropped dropped}
 * and the proxy counts it.
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
   * @param done called exactly once, at once or later (on any thread), with how the delivery ended.
   *     A sink that throws instead has the exchange counted as dropped ({@link DropReason#FAILED}).
   */
  void offer(Exchange exchange, Consumer<Delivery> done);

  /** Flushes what was accepted (within a bounded time) and releases resources. */
  default CompletableFuture<Void> close() {
    return CompletableFuture.completedFuture(null);
  }

  /** A short description for logs, e.g. {@code kafka 127.0.0.1:9092 topic tapline.exchanges}. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /**
   * Why captures are at risk right now, in words fit for an open health endpoint (no addresses), e.g.
   * {@code broker unreachable: no acknowledgement for 12 s}; empty while the sink delivers.
   */
  default Optional<String> trouble() {
    return Optional.empty();
  }

  /** How the delivery of one exchange ended. */
  sealed interface Delivery {
    /** The one {@link Delivered} a sink needs. */
    Delivered DELIVERED = new Delivered();
    /** The one {@link Spooled} a sink needs. */
    Spooled SPOOLED = new Spooled();

    /** The exchange reached its destination (for Kafka: acknowledged by the broker). */
    record Delivered() implements Delivery {}

    /**
     * The exchange is in the proxy's disk spool and will be sent when the destination takes it
     * again; that later delivery is counted by the spool, not through this callback.
     */
    record Spooled() implements Delivery {}

    /** The exchange was given up: it will not arrive. */
    record Dropped(DropReason reason, @Nullable Throwable cause) implements Delivery {
      public Dropped {
        requireNonNull(reason, "reason");
      }
    }
  }

  /** Why a capture was dropped: the {@code reason} tag of {@code tapline_proxy_captures_dropped_total}. */
  enum DropReason {
    /** The publisher's bounded in-memory queue was full (the publisher fell behind the traffic). */
    QUEUE_FULL,
    /** The destination did not take it and there is no spool (for Kafka: no broker reachable). */
    UNREACHABLE,
    /** The destination did not take it and the spool was at its bound. */
    SPOOL_FULL,
    /** It could not be built, or the destination refused it for good (too large, a bug, a failing sink). */
    FAILED;

    /** The metric tag: {@code queue_full}, {@code unreachable}, {@code spool_full}, {@code failed}. */
    public final String tag = name().toLowerCase(Locale.ROOT);
  }

  /**
   * Publishes to Kafka: key {@code Exchange.partitionKey()}, value {@code ExchangeCodec.encode},
   * schema and content-type headers; idempotent producer, {@code acks=all}, lz4-compressed batches,
   * and sends that never block the publisher for more than ~100 ms while the broker is unreachable
   * (captures are then dropped; {@link ProxyConfig.Builder#spoolDir} keeps them on disk instead).
   */
  static ExchangeSink kafka(String bootstrapServers, String topic) {
    return new KafkaExchangeSink(bootstrapServers, topic, Map.of(), null, null);
  }

  /** As {@link #kafka(String, String)}, with extra producer properties that override the defaults. */
  static ExchangeSink kafka(String bootstrapServers, String topic, Map<String, Object> producerOverrides) {
    return new KafkaExchangeSink(bootstrapServers, topic, producerOverrides, null, null);
  }

  /** Accepts and forgets everything (capture disabled). */
  static ExchangeSink discarding() {
    return new ExchangeSink() {
      @Override
      public void offer(Exchange exchange, Consumer<Delivery> done) {
        done.accept(Delivery.DELIVERED);
      }

      @Override
      public String describe() {
        return "discarding";
      }
    };
  }

  /** Calls {@code consumer} for each exchange; an exception it throws drops the capture as failed. */
  static ExchangeSink custom(Consumer<Exchange> consumer) {
    requireNonNull(consumer, "consumer");
    return new ExchangeSink() {
      @Override
      public void offer(Exchange exchange, Consumer<Delivery> done) {
        try {
          consumer.accept(exchange);
        } catch (RuntimeException e) {
          done.accept(new Delivery.Dropped(DropReason.FAILED, e));
          return;
        }
        done.accept(Delivery.DELIVERED);
      }

      @Override
      public String describe() {
        return "custom";
      }
    };
  }
}
