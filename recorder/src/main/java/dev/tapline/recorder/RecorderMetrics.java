package dev.tapline.recorder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The recorder's meters, scraped at {@code /metrics}. */
final class RecorderMetrics {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final Counter consumed = Counter.builder("tapline.recorder.consumed")
      .description("records read from the exchanges topic").register(registry);
  final Counter indexed = Counter.builder("tapline.recorder.indexed")
      .description("exchanges added to the index").register(registry);
  final Counter deadLettered = Counter.builder("tapline.recorder.dead.lettered")
      .description("records sent to the dead-letter topic").register(registry);
  final Counter paused = Counter.builder("tapline.recorder.paused").baseUnit("seconds")
      .description("time indexing paused because other processes kept the CPUs busy").register(registry);
  final Counter streamDropped = Counter.builder("tapline.recorder.stream.dropped")
      .description("live-stream clients dropped for not keeping up").register(registry);
  final AtomicLong lag = new AtomicLong();
  final AtomicLong streamClients = new AtomicLong();

  RecorderMetrics() {
    Gauge.builder("tapline.recorder.consumer.lag", lag, AtomicLong::get)
        .description("records in the topic not yet read by this recorder").register(registry);
    Gauge.builder("tapline.recorder.stream.clients", streamClients, AtomicLong::get)
        .description("connected live-stream clients").register(registry);
  }

  void indexGauges(Supplier<Number> sizeBytes, Supplier<Number> docs) {
    Gauge.builder("tapline.recorder.index.size", sizeBytes).baseUnit("bytes")
        .description("index size on disk").register(registry);
    Gauge.builder("tapline.recorder.index.documents", docs)
        .description("exchanges in the index").register(registry);
  }

  String scrape() {
    return registry.scrape();
  }
}
