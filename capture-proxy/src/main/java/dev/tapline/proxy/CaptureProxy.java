package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture proxy: an HTTP/1.1 reverse proxy that routes each request by its sandbox routing key
 * (to the sandbox upstream in the {@linkplain #routes() route table}, else to the baseline), streams
 * request and response through untouched, and tees a bounded, redacted copy of both into an {@link
 * Exchange} published asynchronously (to Kafka, or an {@link ExchangeSink}). Capture never blocks or
 * fails the user's request: while Kafka is unreachable or stalled, captures wait in a disk spool
 * when one is configured ({@link ProxyConfig.Builder#spoolDir}) and are sent in order when it is
 * back; what cannot be kept is dropped and counted ({@link ProxyMetrics#droppedCount()}). The admin
 * port's {@code /healthz} then says {@code degraded}, with the reasons.
 *
 * <pre>{@code
 * try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
 *     .service("orders")
 *     .baseline(URI.create("http://127.0.0.1:8081"))
 *     .sandbox("demo-v2", URI.create("http://127.0.0.1:8082"))
 *     .kafkaBootstrap(kafka.bootstrapServers())
 *     .capture(CapturePolicy.ALL)
 *     .admin("127.0.0.1", 0)
 *     .build())) {
 *   System.out.println("proxy  " + proxy.uri());        // http://127.0.0.1:<port>
 *   System.out.println("admin  " + proxy.adminUri());   // /healthz, /metrics, /routes
 *   proxy.routes().put("pr-42", URI.create("http://127.0.0.1:9000"));
 *   proxy.routes().put("pr-43", RouteSpec.parse("{\"override\": \"http://127.0.0.1:8000\"}"));
 * }
 * }</pre>
 *
 * <p>Wire behaviour: keep-alive on both sides with pooled upstream connections; chunked bodies;
 * {@code Expect: 100-continue} answered by the proxy once the upstream is connected; hop-by-hop
 * headers dropped (RFC 9110), {@code Via: 1.1 tapline} and {@code X-Forwarded-For/-Proto/-Host}
 * added, everything else passed in order; WebSocket upgrades tunnelled (not captured). Upstream
 * refused or reset: 502, timed out: 504, both with a JSON body naming the upstream and the cause,
 * and captured with an {@code error}. Malformed requests, and requests an upstream could read
 * another way (RFC 9112: two {@code Host}s, none on HTTP/1.1, an absolute URL naming another host,
 * a transfer coding other than chunked): 400 or 501, then close; {@code CONNECT}: 501; versions
 * other than HTTP/1.0 and 1.1: 505; request line over 8 KiB: 414; headers over 16 KiB: 431; a
 * request head not complete within {@link ProxyConfig#clientHeaderTimeout()} or a body stalled for
 * {@link ProxyConfig#clientBodyTimeout()}: 408. Connections over {@link ProxyConfig#maxConnections()}
 * or {@link ProxyConfig#maxConnectionsPerAddress()} are closed at accept. The admin port needs
 * {@link ProxyConfig#adminToken()} when one is set, and a {@code Host} that names it (docs/SECURITY.md).
 */
public final class CaptureProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureProxy.class);

  private final ProxyConfig config;
  private final EventLoopGroup group;
  private final Channel server;
  private final @Nullable AdminServer admin;
  private final RouteTable routes;
  private final ProxyMetrics metrics;
  private final CapturePublisher publisher;
  private final String sinkDescription;
  private final String transport;
  private final ProxyState state;
  private boolean closed;

  private CaptureProxy(ProxyConfig config, EventLoopGroup group, Channel server, @Nullable AdminServer admin,
      RouteTable routes, ProxyMetrics metrics, CapturePublisher publisher, String sinkDescription, String transport,
      ProxyState state) {
    this.state = state;
    this.config = config;
    this.group = group;
    this.server = server;
    this.admin = admin;
    this.routes = routes;
    this.metrics = metrics;
    this.publisher = publisher;
    this.sinkDescription = sinkDescription;
    this.transport = transport;
  }

  /**
   * Binds the proxy (and its admin server when configured) and returns it running.
   *
   * @throws UncheckedIOException when a port cannot be bound (message names the address)
   */
  public static CaptureProxy start(ProxyConfig config) {
    requireNonNull(config, "config");
    Transport t = Transport.of(config.transport());
    // Everything that can reject the configuration comes before the sink starts.
    SslContext tls = ProxyState.clientTls(config.upstreamCa());
    RouteTable routes = new RouteTable(Upstream.of(config.baseline()), config.routes(), config.maxRoutes(),
        config.recorderUrl() != null);
    Router router = new Router(config.routingKeys(), routes);
    MeterRegistry registry = config.meterRegistry();
    ProxyMetrics metrics = new ProxyMetrics(registry != null ? registry : Metrics.registry());
    ExchangeSink sink;
    Spool spool = null;
    if (config.capture() == CapturePolicy.NONE) {
      sink = ExchangeSink.discarding();
    } else if (config.sink() != null) {
      sink = config.sink();
    } else if (config.kafkaBootstrap() != null) {
      if (config.spoolDir() != null) {
        spool = Spool.open(config.spoolDir(), config.spoolMaxBytes(),
            n -> metrics.droppedFromSpool(ExchangeSink.DropReason.FAILED, n));
        metrics.spool(spool);
      }
      try {
        sink = new KafkaExchangeSink(config.kafkaBootstrap(), config.topic(), java.util.Map.of(), spool, metrics);
      } catch (RuntimeException e) {
        if (spool != null) {
          spool.close();
        }
        throw e;
      }
    } else {
      sink = ExchangeSink.discarding();
    }
    metrics.health(new CaptureHealth(sink, spool, metrics)::check);
    RecordedMocks mocks = config.recorderUrl() == null ? null
        : new RecordedMocks(config.recorderUrl(), config.recorderToken(), config.service());
    CapturePublisher publisher = new CapturePublisher(sink, config, metrics);
    ProxyState state = new ProxyState(config, router, metrics, publisher, t, tls, mocks);
    EventLoopGroup group;
    try {
      group = t.group(Runtime.getRuntime().availableProcessors(), "tapline-proxy");
    } catch (RuntimeException | LinkageError e) {
      publisher.close();
      closeQuietly(mocks);
      throw e;
    }
    Channel server;
    try {
      server = new ServerBootstrap()
          .group(group)
          .channel(t.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
          .childHandler(new FrontendInitializer(state))
          .bind(config.listenHost(), config.listenPort())
          .sync()
          .channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      publisher.close();
      closeQuietly(mocks);
      throw new UncheckedIOException(new IOException(
          "cannot listen on " + config.listenHost() + ":" + config.listenPort() + ": " + e.getMessage(), e));
    }
    AdminServer admin = null;
    if (config.adminHost() != null) {
      try {
        admin = AdminServer.start(config, routes, metrics);
      } catch (IOException e) {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        publisher.close();
        closeQuietly(mocks);
        throw new UncheckedIOException(new IOException(
            "cannot start the admin server on " + config.adminHost() + ":" + config.adminPort() + ": " + e.getMessage(), e));
      }
    }
    CaptureProxy proxy = new CaptureProxy(config, group, server, admin, routes, metrics, publisher, sink.describe(), t.name(),
        state);
    log.debug("proxy for {} listening on {} ({}), baseline {}, capture {} to {}", config.service(), proxy.uri(),
        t.name(), config.baseline(), config.capture(), sink.describe());
    return proxy;
  }

  /** The port clients connect to (the bound one when the config said 0). */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** {@code http://host:port} of the proxy. */
  public URI uri() {
    return URI.create("http://" + hostForUri(config.listenHost()) + ":" + port());
  }

  /** The admin server's port, or -1 when there is none. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** {@code http://host:port} of the admin server, or null when there is none. */
  public @Nullable URI adminUri() {
    return admin == null ? null : URI.create("http://" + hostForUri(requireNonNull(config.adminHost())) + ":" + admin.port());
  }

  /** The live route table (routing key → sandbox upstream, override, rules); changes apply to the next request. */
  public RouteTable routes() {
    return routes;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  public ProxyConfig config() {
    return config;
  }

  /** Where captures go, e.g. {@code kafka 127.0.0.1:9092 topic tapline.exchanges}. */
  public String sinkDescription() {
    return sinkDescription;
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport;
  }

  /**
   * Stops accepting, lets requests in flight finish (up to 5 s), publishes the captures still queued
   * (up to 10 s) and closes the sink. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (state.inFlight.sum() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // in-flight requests finish on their loops
    }
    if (admin != null) {
      admin.stop();
    }
    group.shutdownGracefully(200, 5000, TimeUnit.MILLISECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    closeQuietly(state.mocks);
    try {
      publisher.close().get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("capture publisher did not close cleanly: {}", e.toString());
    }
  }

  private static void closeQuietly(@Nullable RecordedMocks mocks) {
    if (mocks != null) {
      mocks.close();
    }
  }

  private static String hostForUri(String host) {
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
