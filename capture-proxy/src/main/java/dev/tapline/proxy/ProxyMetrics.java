package dev.tapline.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The proxy's counters, as served on the admin port's {@code /metrics} (Prometheus text).
 *
 * <ul>
 *   <li>{@code tapline_proxy_requests_total{target,status}}: target {@code baseline|sandbox|proxy}
 *       (proxy = answered by the proxy itself, e.g. a 400), status {@code 2xx..5xx} or {@code error}
 *   <li>{@code tapline_proxy_request_duration_seconds{target}}: latency histogram
 *   <li>{@code tapline_proxy_captures_total}: exchanges delivered to the sink
 *   <li>{@code tapline_proxy_captures_dropped_total}: captures that could not be kept (queue full,
 *       sink or broker not accepting)
 *   <li>{@code tapline_proxy_captures_failed_total}: accepted but not delivered, or not buildable
 *   <li>{@code tapline_proxy_kafka_send_errors_total}, {@code tapline_proxy_capture_queue_depth}
 * </ul>
 */
public final class ProxyMetrics {
  static final int BASELINE = 0;
  static final int SANDBOX = 1;
  static final int PROXY = 2;
  private static final String[] TARGETS = {"baseline", "sandbox", "proxy"};
  private static final String[] STATUSES = {"error", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Pre-registered so the event loop only increments: no lookups, no tag allocation per request.
  private final Counter[][] requests = new Counter[TARGETS.length][STATUSES.length];
  private final Timer[] latency = new Timer[TARGETS.length];
  private final Counter captured;
  private final Counter dropped;
  private final Counter failed;
  private final Counter sendErrors;

  ProxyMetrics() {
    for (int t = 0; t < TARGETS.length; t++) {
      for (int s = 0; s < STATUSES.length; s++) {
        requests[t][s] = Counter.builder("tapline.proxy.requests")
            .description("Requests handled, by target and status class")
            .tags("target", TARGETS[t], "status", STATUSES[s]).register(registry);
      }
      latency[t] = Timer.builder("tapline.proxy.request.duration")
          .description("Time from the request's first byte to the response's last")
          .tags("target", TARGETS[t])
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
  }

  void queueDepth(IntSupplier depth) {
    Gauge.builder("tapline.proxy.capture.queue.depth", depth::getAsInt)
        .description("Captures waiting for the publisher").register(registry);
  }

  void request(int target, int status, long nanos) {
    int s = status <= 0 ? 0 : Math.min(5, status / 100);
    requests[target][s].increment();
    latency[target].record(nanos, TimeUnit.NANOSECONDS);
  }

  void captured() {
    captured.increment();
  }

  void dropped() {
    dropped.increment();
  }

  void failed(boolean kafka) {
    failed.increment();
    if (kafka) {
      sendErrors.increment();
    }
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

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
