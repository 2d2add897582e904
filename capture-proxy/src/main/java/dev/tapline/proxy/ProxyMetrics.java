package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's meters, on the registry of {@link ProxyConfig.Builder#meterRegistry} (by default one of
 * its own); the admin port's {@code /metrics} serves them as Prometheus text.
 *
 * <ul>
 *   <li>{@code tapline_proxy_requests_total{target,status}}: target {@code
 *       baseline|sandbox|override|mock|fault|proxy} (the target that answered: an override that fell
 *       back counts under its fallback; proxy = answered by the proxy itself, e.g. a 400), status
 *       {@code 2xx..5xx} or {@code error}
 *   <li>{@code tapline_proxy_request_duration_seconds{target}}: latency histogram
 *   <li>{@code tapline_proxy_captures_total}: exchanges delivered to the sink
 *   <li>{@code tapline_proxy_captures_dropped_total}: captures that could not be kept (queue full,
 *       sink or broker not accepting)
 *   <li>{@code tapline_proxy_captures_failed_total}: accepted but not delivered, or not buildable
 *   <li>{@code tapline_proxy_kafka_send_errors_total}, {@code tapline_proxy_capture_queue_depth}
 *   <li>{@code tapline_proxy_connections_refused_total{reason}}: client connections closed at accept,
 *       reason {@code total_limit} or {@code address_limit}
 *   <li>{@code tapline_proxy_connections_open}: client connections open now
 * </ul>
 */
public final class ProxyMetrics {
  /** The {@code target} tag of the request meters. */
  enum TargetTag {
    BASELINE, SANDBOX,
    /** A developer's process answered in the sandbox's place (an override rule). */
    OVERRIDE,
    /** A mock rule answered, without an upstream. */
    MOCK,
    /** A fault rule delayed the request, answered its status or reset the connection. */
    FAULT,
    /**
     * Answered by the proxy itself, before any routing: a request it could not decode or will not
     * forward (400, 414, 431, 501, 505), or a request head that did not arrive in time (408).
     */
    PROXY;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  private static final TargetTag[] TARGETS = TargetTag.values();
  private static final String[] STATUSES = {"error", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final @Nullable PrometheusMeterRegistry prometheus;
  // Pre-registered so the event loop only increments: no lookups, no tag allocation per request.
  private final Counter[][] requests = new Counter[TARGETS.length][STATUSES.length];
  private final Timer[] latency = new Timer[TARGETS.length];
  private final Counter captured;
  private final Counter dropped;
  private final Counter failed;
  private final Counter sendErrors;
  private final Counter[] refused = new Counter[ConnectionLimits.Admission.values().length];

  ProxyMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
    this.prometheus = Metrics.prometheus(registry);
    for (TargetTag t : TARGETS) {
      for (int s = 0; s < STATUSES.length; s++) {
        requests[t.ordinal()][s] = Counter.builder("tapline.proxy.requests")
            .description("Requests handled, by target and status class")
            .tags("target", t.tag, "status", STATUSES[s]).register(registry);
      }
      latency[t.ordinal()] = Timer.builder("tapline.proxy.request.duration")
          .description("Time from the request's first byte to the response's last")
          .tags("target", t.tag)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry);
    }
    captured = Counter.builder("tapline.proxy.captures").description("Exchanges delivered to the sink").register(registry);
    dropped = Counter.builder("tapline.proxy.captures.dropped")
        .description("Captures that could not be kept (queue full, broker unreachable)").register(registry);
    failed = Counter.builder("tapline.proxy.captures.failed")
        .description("Captures accepted but not delivered, or not buildable").register(registry);
    sendErrors = Counter.builder("tapline.proxy.kafka.send.errors").description("Kafka send failures").register(registry);
    for (ConnectionLimits.Admission a : ConnectionLimits.Admission.values()) {
      if (a != ConnectionLimits.Admission.ADMITTED) {
        refused[a.ordinal()] = Counter.builder("tapline.proxy.connections.refused")
            .description("Client connections closed at accept, over a connection cap")
            .tags("reason", a.tag).register(registry);
      }
    }
  }

  void openConnections(IntSupplier open) {
    Gauge.builder("tapline.proxy.connections.open", open::getAsInt)
        .description("Client connections open now").register(registry);
  }

  /** A connection closed at accept, for {@code why}. */
  void refused(ConnectionLimits.Admission why) {
    Counter c = refused[why.ordinal()];
    if (c != null) {
      c.increment();
    }
  }

  /** Client connections refused at accept so far, over either cap. */
  public long refusedConnectionCount() {
    long n = 0;
    for (Counter c : refused) {
      n += c == null ? 0 : (long) c.count();
    }
    return n;
  }

  void queueDepth(IntSupplier depth) {
    Gauge.builder("tapline.proxy.capture.queue.depth", depth::getAsInt)
        .description("Captures waiting for the publisher").register(registry);
  }

  void request(TargetTag target, int status, long nanos) {
    int s = status <= 0 ? 0 : Math.min(5, status / 100);
    requests[target.ordinal()][s].increment();
    latency[target.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  /** How a sink's delivery of an accepted exchange ended. Called on the sink's threads. */
  void delivered(ExchangeSink.Delivery outcome) {
    switch (outcome) {
      case ExchangeSink.Delivery.Delivered d -> captured.increment();
      case ExchangeSink.Delivery.Failed f -> {
        failed.increment();
        if (f.brokerError()) {
          sendErrors.increment();
        }
      }
    }
  }

  /** A capture that could not be turned into an exchange. */
  void notBuilt() {
    failed.increment();
  }

  void dropped() {
    dropped.increment();
  }

  /** Exchanges delivered to the sink so far. */
  public long capturedCount() {
    return (long) captured.count();
  }

  /** Captures dropped so far (the user's requests were served regardless). */
  public long droppedCount() {
    return (long) dropped.count();
  }

  /** Captures that failed after being accepted, or could not be built. */
  public long failedCount() {
    return (long) failed.count();
  }

  /** Requests handled so far, all targets and statuses. */
  public long requestCount() {
    long n = 0;
    for (Counter[] row : requests) {
      for (Counter c : row) {
        n += (long) c.count();
      }
    }
    return n;
  }

  /** True when {@link #scrape()} has a Prometheus registry to read. */
  boolean scrapeable() {
    return prometheus != null;
  }

  /**
   * Prometheus text exposition of every meter in the registry (other components' too, when the
   * registry is shared).
   *
   * @throws IllegalStateException when the registry is neither a {@code PrometheusMeterRegistry} nor
   *     a composite that holds one
   */
  public String scrape() {
    PrometheusMeterRegistry p = prometheus;
    if (p == null) {
      throw new IllegalStateException("the proxy's meters are on a " + registry.getClass().getSimpleName()
          + ", which has no Prometheus text; read them where that registry is published");
    }
    return p.scrape();
  }
}
