package dev.tapline.proxy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/** What every connection of one proxy shares. Immutable after start except the route table. */
final class ProxyState {
  final ProxyConfig config;
  final RouteTable routes;
  final Upstream baseline;
  final ProxyMetrics metrics;
  final CapturePublisher publisher;
  final PathGlobs globs;
  final UpstreamPool pool;
  /** Exchanges between request head and response end, for a graceful close. */
  final LongAdder inFlight = new LongAdder();

  ProxyState(ProxyConfig config, RouteTable routes, ProxyMetrics metrics, CapturePublisher publisher,
      Transport transport) {
    this.config = config;
    this.routes = routes;
    this.baseline = Upstream.of(config.baseline());
    this.metrics = metrics;
    this.publisher = publisher;
    this.globs = PathGlobs.of(config.include(), config.exclude());
    this.pool = new UpstreamPool(transport, this);
  }

  boolean shouldCapture(@Nullable String routingKey, String uri) {
    switch (config.capture()) {
      case NONE:
        return false;
      case SANDBOXED:
        if (routingKey == null) {
          return false;
        }
        break;
      case ALL:
        break;
    }
    double rate = config.sampleRate();
    if (rate < 1.0 && ThreadLocalRandom.current().nextDouble() >= rate) {
      return false;
    }
    if (globs.isEmpty()) {
      return true;
    }
    int q = uri.indexOf('?');
    return globs.matches(q < 0 ? uri : uri.substring(0, q));
  }
}
