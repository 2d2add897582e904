package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>{@code tapline_proxy_captures_total}: captures made (every exchange the proxy set out to
 *       publish), plus those found in the spool at start
 *   <li>{@code tapline_proxy_captures_delivered_total}: acknowledged by Kafka (or taken by the sink),
 *       directly or later from the spool
 *   <li>{@code tapline_proxy_captures_spooled}: in the disk spool now, waiting for Kafka
 *   <li>{@code tapline_proxy_captures_dropped_total{reason}}: given up: {@code queue_full}, {@code
 *       unreachable} (no broker and no spool), {@code spool_full}, {@code failed}
 *   <li>{@code tapline_proxy_captures_pending}: in memory on their way (the publisher's queue, the
 *       producer's buffer). So {@code captures = delivered + spooled + dropped + pending}, and
 *       {@code captures = delivered + spooled + dropped} whenever nothing is on its way.
 *   <li>{@code tapline_proxy_spool_writes_total}: captures written to the spool (0 while Kafka takes
 *       every capture); {@code tapline_proxy_spool_bytes}, {@code tapline_proxy_spool_limit_bytes}
 *   <li>{@code tapline_proxy_kafka_send_errors_total}: sends Kafka failed (the capture may still
 *       have been spooled), {@code tapline_proxy_capture_queue_depth}
 *   <li>{@code tapline_proxy_connections_refused_total{reason}}: client connections closed at accept,
 *       reason {@code total_limit} or {@code address_limit}
 *   <li>{@code tapline_proxy_connections_open}: client connections open now
 * </ul>
 */
public final class ProxyMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyMetrics.class);
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
  private static final ExchangeSink.DropReason[] REASONS = ExchangeSink.DropReason.values();
  private static final long DROP_WARNING_NANOS = 60_000_000_000L;

  // Counted on every capture by the event loops and the producer's thread: LongAdders read by
  // function counters cost less there than Micrometer's double-valued counters.
  private final LongAdder captured = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final Counter[] dropped = new Counter[REASONS.length];
  private final LongAdder pending = new LongAdder();
  private final Counter sendErrors;
  private final Counter spoolWrites;
  private volatile long lastDropNanos;
  private final AtomicLong nextDropWarning = new AtomicLong(System.nanoTime());
  private final long[] droppedAtWarning = new long[REASONS.length];
  private volatile @Nullable Supplier<CaptureHealth.Report> health;
  private volatile @Nullable Spool spool;
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
    FunctionCounter.builder("tapline.proxy.captures", captured, LongAdder::sum)
        .description("Captures made, and captures found in the spool at start").register(registry);
    FunctionCounter.builder("tapline.proxy.captures.delivered", delivered, LongAdder::sum)
        .description("Captures acknowledged by Kafka (or taken by the sink), directly or from the spool").register(registry);
    for (ExchangeSink.DropReason r : REASONS) {
      dropped[r.ordinal()] = Counter.builder("tapline.proxy.captures.dropped")
          .description("Captures given up, by reason (the requests were served regardless)")
          .tags("reason", r.tag).register(registry);
    }
    Gauge.builder("tapline.proxy.captures.pending", pending, LongAdder::sum)
        .description("Captures in memory on their way to Kafka (queue, producer buffer)").register(registry);
    spoolWrites = Counter.builder("tapline.proxy.spool.writes")
        .description("Captures written to the disk spool (none while Kafka takes every capture)").register(registry);
    sendErrors = Counter.builder("tapline.proxy.kafka.send.errors")
        .description("Kafka send failures (the capture may still have been spooled)").register(registry);
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

  /** The spool's gauges; its captures count as captured when found at start. */
  void spool(Spool spool) {
    Gauge.builder("tapline.proxy.captures.spooled", spool, Spool::records)
        .description("Captures in the disk spool, waiting for Kafka").register(registry);
    Gauge.builder("tapline.proxy.spool.bytes", spool, Spool::bytes).baseUnit("bytes")
        .description("Bytes the spool's segment files hold").register(registry);
    Gauge.builder("tapline.proxy.spool.limit", spool, Spool::maxBytes).baseUnit("bytes")
        .description("The spool's bound (--spool-max); beyond it captures are dropped").register(registry);
    captured.add(spool.recovered());
    this.spool = spool;
  }

  /** Captures in the disk spool now (0 without a spool). */
  public long spooledCount() {
    Spool s = spool;
    return s == null ? 0 : s.records();
  }

  void health(Supplier<CaptureHealth.Report> source) {
    this.health = source;
  }

  /** What {@code /healthz} says about capture. */
  CaptureHealth.Report health() {
    Supplier<CaptureHealth.Report> h = health;
    return h == null ? CaptureHealth.Report.OK : h.get();
  }

  /** A capture was made and queued for the publisher (called on an event loop). */
  void captured() {
    pending.increment(); // first: read captured, then the rest, and the sum never comes up short
    captured.increment();
  }

  /** A capture was made but the publisher's queue was full (called on an event loop). */
  void capturedButQueueFull() {
    drop(ExchangeSink.DropReason.QUEUE_FULL);
    captured.increment();
  }

  /** How a queued capture ended: delivered, in the spool, or dropped. Called on any thread. */
  void delivered(ExchangeSink.Delivery outcome) {
    switch (outcome) {
      case ExchangeSink.Delivery.Delivered d -> delivered.increment();
      case ExchangeSink.Delivery.Spooled s -> spoolWrites.increment(); // and the spool's gauge has it already
      case ExchangeSink.Delivery.Dropped d -> drop(d.reason());
    }
    pending.decrement(); // last: a capture moves to its outcome before it leaves the pending ones
  }

  /** A capture from the spool was delivered. */
  void deliveredFromSpool() {
    delivered.increment();
  }

  /** Captures in the spool were given up (unreadable, or refused by Kafka for good). */
  void droppedFromSpool(ExchangeSink.DropReason reason, long n) {
    if (n > 0) {
      drop(reason, n);
    }
  }

  /** Kafka failed a send (the sink decides whether the capture is spooled or dropped). */
  void sendError() {
    sendErrors.increment();
  }

  private void drop(ExchangeSink.DropReason reason) {
    drop(reason, 1);
  }

  private void drop(ExchangeSink.DropReason reason, long n) {
    dropped[reason.ordinal()].increment(n);
    long now = System.nanoTime();
    lastDropNanos = now;
    long next = nextDropWarning.get();
    if (now - next >= 0 && nextDropWarning.compareAndSet(next, now + DROP_WARNING_NANOS)) {
      warnDrops();
    }
  }

  /** At most once a minute, on whichever thread dropped: what was dropped since the last warning. */
  private synchronized void warnDrops() {
    StringBuilder why = new StringBuilder();
    for (ExchangeSink.DropReason r : REASONS) {
      long n = droppedCount(r);
      long since = n - droppedAtWarning[r.ordinal()];
      droppedAtWarning[r.ordinal()] = n;
      if (since > 0) {
        why.append(why.isEmpty() ? "" : ", ").append(since).append(' ').append(r.tag);
      }
    }
    LOG.warn("dropping captures ({} since the last warning; requests are still served): see"
        + " tapline_proxy_captures_dropped_total and /healthz", why);
  }

  /** Nanos ({@link System#nanoTime()}) of the last drop, or 0 when none. */
  long lastDropNanos() {
    return lastDropNanos;
  }

  /** Captures made so far (and captures found in the spool at start). */
  public long capturedCount() {
    return captured.sum();
  }

  /** Captures acknowledged by Kafka (or taken by the sink) so far, directly or from the spool. */
  public long deliveredCount() {
    return delivered.sum();
  }

  /** Captures dropped so far, for any reason (the user's requests were served regardless). */
  public long droppedCount() {
    long n = 0;
    for (Counter c : dropped) {
      n += (long) c.count();
    }
    return n;
  }

  /** Captures dropped so far for {@code reason}. */
  public long droppedCount(ExchangeSink.DropReason reason) {
    return (long) dropped[reason.ordinal()].count();
  }

  /** Captures written to the disk spool so far. */
  public long spoolWrites() {
    return (long) spoolWrites.count();
  }

  /** Captures in memory on their way (the publisher's queue, the producer's buffer). */
  public long pendingCount() {
    return pending.sum();
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
