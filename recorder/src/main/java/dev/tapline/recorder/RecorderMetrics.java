package dev.tapline.recorder;

import dev.tapline.core.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The recorder's meters, scraped at {@code /metrics}. */
final class RecorderMetrics {
  final MeterRegistry registry;
  private final @Nullable PrometheusMeterRegistry prometheus;
  final Counter consumed;
  final Counter indexed;
  final Counter deadLettered;
  final Counter paused;
  final Counter streamDropped;
  final Counter queryTimeouts;
  final AtomicLong lag = new AtomicLong();
  final AtomicLong streamClients = new AtomicLong();

  RecorderMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.prometheus = Metrics.prometheus(registry);
    consumed = Counter.builder("tapline.recorder.consumed")
        .description("records read from the exchanges topic").register(registry);
    indexed = Counter.builder("tapline.recorder.indexed")
        .description("exchanges added to the index").register(registry);
    deadLettered = Counter.builder("tapline.recorder.dead.lettered")
        .description("records sent to the dead-letter topic").register(registry);
    paused = Counter.builder("tapline.recorder.paused").baseUnit("seconds")
        .description("time indexing paused because other processes kept the CPUs busy").register(registry);
    streamDropped = Counter.builder("tapline.recorder.stream.dropped")
        .description("live-stream clients dropped for not keeping up").register(registry);
    queryTimeouts = Counter.builder("tapline.recorder.query.timeouts")
        .description("searches, export pages and live-stream looks stopped at their deadline").register(registry);
    FunctionCounter.builder("tapline.recorder.phrase.confirmations", ConfirmedPhraseQuery.CONFIRMATIONS, LongAdder::sum)
        .description("stored exchanges read to confirm a phrase in a body (in this process)").register(registry);
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

  /** Prometheus text of every meter in the registry (the whole process's, under {@code tapline up}). */
  String scrape() {
    if (prometheus == null) {
      return "# the recorder's meters are on a registry without Prometheus text; read them where it is published\n";
    }
    return prometheus.scrape();
  }
}
