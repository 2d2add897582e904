package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import java.util.BitSet;
import org.jspecify.annotations.Nullable;

/**
 * Where the {@link Router} sends one request, and what its capture records about that: the routing
 * key the request carried and the target's label ({@link Exchange#target()}). The targets of the
 * route table are built once, when a route is set, so routing a request allocates nothing (except
 * for a key the table does not know, whose baseline target carries that key).
 *
 * <p>{@link FrontendHandler#begin} switches over the targets, so the compiler points at where each
 * one is served: a {@link Forward} streams to its upstream, {@link Overriding} tries a developer's
 * process first, {@link Mock} answers without an upstream, {@link Fault} delays, answers a status or
 * resets.
 */
sealed interface Target {

  /** The routing key the request carried, known or not; null when it had none. */
  @Nullable String routingKey();

  /**
   * As recorded in {@link Exchange#target()}: {@code baseline}, {@code sandbox:<key>}, {@code
   * override:<url>}, {@code mock} or {@code fault}.
   */
  String label();

  /** The {@code target} tag of the request metrics. */
  ProxyMetrics.TargetTag metric();

  /** A target that streams the request to an upstream and its response back. */
  sealed interface Forward extends Target {
    Upstream upstream();
  }

  /** The baseline upstream: no routing key, one without a route, or a route without an upstream. */
  record Baseline(@Nullable String routingKey, Upstream upstream) implements Forward {
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
  record Sandbox(String routingKey, Upstream upstream, String label) implements Forward {
    Sandbox(String routingKey, Upstream upstream) {
      this(routingKey, upstream, Exchange.sandboxTarget(routingKey));
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.SANDBOX;
    }
  }

  /**
   * A developer's process first: its answer is kept when it says so (the override header; or, with
   * {@code exceptStatus}, when its status is not one of them), else the request goes to {@code
   * fallback}, as it does when the process is down or too slow.
   *
   * @param exceptStatus statuses that send the request to the fallback; empty: the header decides
   */
  record Overriding(String routingKey, Upstream upstream, BitSet exceptStatus, Forward fallback, String label)
      implements Target {
    Overriding(String routingKey, Upstream upstream, BitSet exceptStatus, Forward fallback) {
      this(routingKey, upstream, exceptStatus, fallback, "override:" + upstream.uri());
    }

    /** Whether the override's answer with this status and override header value is the one to use. */
    boolean keeps(int status, @Nullable String header) {
      return exceptStatus.isEmpty() ? "true".equalsIgnoreCase(header) : !exceptStatus.get(status);
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.OVERRIDE;
    }
  }

  /** An answer without any upstream: a given response, or one read from the recorder. */
  record Mock(String routingKey, MockAnswer answer) implements Target {
    @Override
    public String label() {
      return "mock";
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.MOCK;
    }
  }

  /**
   * An injected fault: after {@code delayMs}, its {@code answer} (a status with a JSON body), a
   * reset, or when neither, the request goes on to {@code then}.
   */
  record Fault(String routingKey, @Nullable CannedResponse answer, long delayMs, boolean reset, Forward then)
      implements Target {
    @Override
    public String label() {
      return "fault";
    }

    @Override
    public ProxyMetrics.TargetTag metric() {
      return ProxyMetrics.TargetTag.FAULT;
    }
  }
}
