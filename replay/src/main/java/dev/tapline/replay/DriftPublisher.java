package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a report's {@code drift.json} bytes to Kafka ({@link Topics#DRIFT} by default) for the
 * UI: key = run id, headers {@code tapline-schema: 1} and {@code content-type: application/json}.
 */
public final class DriftPublisher {
  private DriftPublisher() {}

  /**
   * Sends and waits for the broker's acknowledgement.
   *
   * @throws IllegalStateException with the broker's reason when the record was not accepted in time
   */
  public static void publish(String bootstrap, String topic, DriftReport report, Duration timeout) {
    publish(KafkaSettings.of(requireNonNull(bootstrap, "bootstrap")), topic, report, timeout);
  }

  /** As {@link #publish(String, String, DriftReport, Duration)}, reaching Kafka as {@code kafka} says (TLS, SASL). */
  public static void publish(KafkaSettings kafka, String topic, DriftReport report, Duration timeout) {
    requireNonNull(kafka, "kafka");
    requireNonNull(topic, "topic");
    requireNonNull(report, "report");
    String bootstrap = kafka.describe();
    Properties p = new Properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tapline-replay");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() + 1000);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    byte[] value = ReportWriter.json().toBytes(report);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(kafka.clientProperties(p), new ByteArraySerializer(), new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> rec =
          new ProducerRecord<>(topic, report.runId().getBytes(StandardCharsets.UTF_8), value);
      rec.headers().add(ExchangeCodec.SCHEMA_HEADER, String.valueOf(JsonReport.VERSION).getBytes(StandardCharsets.UTF_8));
      rec.headers().add(ExchangeCodec.ENCODING_HEADER, ExchangeCodec.ENCODING.getBytes(StandardCharsets.UTF_8));
      producer.send(rec).get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not publish the drift report to " + topic + " at " + bootstrap + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("could not publish the drift report to " + topic + " at " + bootstrap
          + ": no acknowledgement in " + timeout.toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the drift report", e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IllegalStateException("could not publish the drift report to " + topic + " at " + bootstrap + ": "
          + e.getMessage(), e);
    }
  }
}
