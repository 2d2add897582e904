package dev.tapline.recorder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * How many searches, exports and live streams the HTTP API serves at once ({@link
 * RecorderConfig#maxSearches()} and the others). A request past its kind's cap is refused at once
 * ({@code 429} with {@code Retry-After}) rather than queued: a queue would hold its connection open
 * while the work ahead of it runs, and a client that gave up would still get its turn.
 */
final class Capacity {
  /** What a permit is for. */
  enum Kind {
    SEARCH("searches", "--max-searches"),
    EXPORT("exports", "--max-exports"),
    STREAM("live streams", "--max-streams");

    final String plural;
    final String flag;

    Kind(String plural, String flag) {
      this.plural = plural;
      this.flag = flag;
    }
  }

  private final Map<Kind, Semaphore> permits = new EnumMap<>(Kind.class);
  private final Map<Kind, Integer> max = new EnumMap<>(Kind.class);
  private final Map<Kind, Counter> rejected = new EnumMap<>(Kind.class);

  Capacity(int searches, int exports, int streams, MeterRegistry meters) {
    max.put(Kind.SEARCH, searches);
    max.put(Kind.EXPORT, exports);
    max.put(Kind.STREAM, streams);
    for (Kind k : Kind.values()) {
      Semaphore s = new Semaphore(max.get(k));
      permits.put(k, s);
      String tag = k.name().toLowerCase(Locale.ROOT);
      Gauge.builder("tapline.recorder.requests.active", s, p -> max.get(k) - p.availablePermits())
          .description("searches, exports and live streams being answered").tag("kind", tag).register(meters);
      rejected.put(k, Counter.builder("tapline.recorder.requests.rejected")
          .description("requests refused with 429 because as many of their kind were being answered")
          .tag("kind", tag).register(meters));
    }
  }

  static Capacity of(RecorderConfig config, MeterRegistry meters) {
    return new Capacity(config.maxSearches(), config.maxExports(), config.maxStreams(), meters);
  }

  /** A permit for one request of {@code kind}, or null when that many are being answered already. */
  @Nullable Permit tryAcquire(Kind kind) {
    Semaphore s = permits.get(kind);
    if (!s.tryAcquire()) {
      rejected.get(kind).increment();
      return null;
    }
    return new Permit(s);
  }

  int max(Kind kind) {
    return max.get(kind);
  }

  /** Requests of {@code kind} being answered now. */
  int active(Kind kind) {
    return max.get(kind) - permits.get(kind).availablePermits();
  }

  /** Held while a request is answered; closing it (once) lets the next one in. */
  static final class Permit implements AutoCloseable {
    private final Semaphore semaphore;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(Semaphore semaphore) {
      this.semaphore = semaphore;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        semaphore.release();
      }
    }
  }
}
