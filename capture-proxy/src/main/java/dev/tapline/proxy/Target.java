package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import org.jspecify.annotations.Nullable;

/**
 * Where the {@link Router} sends one request, and what its capture records about that: the routing
 * key the request carried and the target's label ({@link Exchange#target()}). The targets of the
 * route table are built once, when a route is set, so routing a request allocates nothing (except
 * for a key the table does not know, whose baseline target carries that key).
 */
sealed interface Target {

  /** The routing key the request carried, known or not; null when it had none. */
  @Nullable String routingKey();

  /** As recorded in {@link Exchange#target()}: {@code baseline} or {@code sandbox:<key>}. */
  String label();

  /** The {@code target} tag of the request metrics. */
  ProxyMetrics.TargetTag metric();

  /** The baseline upstream: no routing key, or one without a route. */
  record Baseline(@Nullable String routingKey, Upstream upstream) implements Target {
    @Override
    public String label() {
      return Exchange.BASELINE;
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.BASELINE;
    }
  }

  /** The sandbox upstream the route table maps {@code routingKey} to. */
  record Sandbox(String routingKey, Upstream upstream, String label) implements Target {
    Sandbox(String routingKey, Upstream upstream) {
      this(routingKey, upstream, Exchange.sandboxTarget(routingKey));
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.SANDBOX;
    }
  }

  // Per method and path rules of a route come here as further records (docs/DESIGN "Routes and
  // targets"): Override(url, fallback) tries a developer's process first and keeps its answer only
  // when it says sd-override: true; Mock(response) answers without an upstream; Fault(latency,
  // status, reset) injects one. Each brings its own label and metric tag; FrontendHandler.begin
  // switches over the targets, so the compiler points at where each one is served.
}
