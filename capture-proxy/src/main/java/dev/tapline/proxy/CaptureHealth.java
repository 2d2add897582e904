package dev.tapline.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the admin port's {@code /healthz} says about capture: {@code ok}, or {@code degraded} with
 * the reasons (the broker unreachable or slow, captures in the spool, captures dropped in the last
 * minute). Degraded never means the proxy should leave a load balancer's rotation: it forwards
 * every request either way, so {@code /healthz} answers {@code 200} for both, and the body is what
 * to alert on. The reasons name no addresses or paths, since {@code /healthz} needs no token.
 */
final class CaptureHealth {
  private static final long RECENT_NANOS = 60_000_000_000L;

  /** The answer: {@code degraded} when there is any reason. */
  record Report(List<String> reasons, @Nullable Map<String, Object> spool) {
    static final Report OK = new Report(List.of(), null);

    boolean degraded() {
      return !reasons.isEmpty();
    }

    /** The JSON body of {@code /healthz}. */
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", degraded() ? "degraded" : "ok");
      if (degraded()) {
        m.put("reasons", reasons);
      }
      if (spool != null) {
        m.put("spool", spool);
      }
      return m;
    }
  }

  private final ExchangeSink sink;
  private final @Nullable Spool spool;
  private final ProxyMetrics metrics;

  CaptureHealth(ExchangeSink sink, @Nullable Spool spool, ProxyMetrics metrics) {
    this.sink = sink;
    this.spool = spool;
    this.metrics = metrics;
  }

  Report check() {
    List<String> reasons = new ArrayList<>();
    sink.trouble().ifPresent(reasons::add);
    Map<String, Object> spooled = null;
    Spool s = spool;
    if (s != null) {
      long n = s.records();
      long bytes = s.bytes();
      spooled = new LinkedHashMap<>();
      spooled.put("captures", n);
      spooled.put("bytes", bytes);
      spooled.put("maxBytes", s.maxBytes());
      if (n > 0) {
        reasons.add((reasons.isEmpty() ? "spool draining: " : "spool filling: ") + n + " capture(s) wait for Kafka, "
            + mib(bytes) + " of " + mib(s.maxBytes()) + " (" + Math.round(100.0 * bytes / s.maxBytes()) + " %)");
      }
    }
    long lastDrop = metrics.lastDropNanos();
    if (lastDrop != 0 && System.nanoTime() - lastDrop < RECENT_NANOS) {
      StringBuilder why = new StringBuilder();
      for (ExchangeSink.DropReason r : ExchangeSink.DropReason.values()) {
        long d = metrics.droppedCount(r);
        if (d > 0) {
          why.append(why.isEmpty() ? "" : ", ").append(d).append(' ').append(r.tag);
        }
      }
      reasons.add("dropping captures: the last " + (System.nanoTime() - lastDrop) / 1_000_000_000L
          + " s ago; dropped since start: " + why);
    }
    return new Report(List.copyOf(reasons), spooled);
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
