package dev.tapline.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The one Micrometer registry of a process and how it is read. A stage started alone makes its own
 * ({@link #registry()}); {@code tapline up}, which runs the proxy and the recorder in one JVM, makes
 * one with the JVM's binders ({@link #processRegistry()}) and passes it to both, so every {@code
 * /metrics} shows the whole process.
 */
public final class Metrics {
  private Metrics() {}

  /** A fresh Prometheus registry with no binders. */
  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A Prometheus registry with the JVM and process binders (memory, GC, threads, class loading,
   * CPU, uptime) bound to it: one per process, since binders hook into the JVM for its lifetime.
   */
  @SuppressWarnings("resource") // the GC binder lives as long as the process
  public static PrometheusMeterRegistry processRegistry() {
    PrometheusMeterRegistry r = registry();
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    return r;
  }

  /** The registry itself, or the first Prometheus one inside a composite; null when there is none. */
  public static @Nullable PrometheusMeterRegistry prometheus(MeterRegistry r) {
    if (r instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (r instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        PrometheusMeterRegistry p = prometheus(child);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }
}
