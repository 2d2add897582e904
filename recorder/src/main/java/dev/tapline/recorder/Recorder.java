package dev.tapline.recorder;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Metrics;
import dev.tapline.core.api.Page;
import dev.tapline.core.http.HttpEdge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder: consumes captured exchanges from Kafka into a Lucene index and serves search, the
 * endpoint catalog, export and a live stream over HTTP (see {@code docs/API.md}).
 *
 * <pre>{@code
 * try (Recorder recorder = Recorder.start(RecorderConfig.builder()
 *     .kafka(kafka.bootstrapServers())
 *     .indexDir(dataDir.resolve("index"))
 *     .extension("/", ui.assets())                 // other modules mount handlers on the same server
 *     .build())) {
 *   URI api = recorder.baseUri();                  // http://127.0.0.1:PORT
 *   Page errors = recorder.index().search("status:[500 TO 599]", 20, null);
 * }
 * }</pre>
 *
 * <p>Ingestion is exactly-once into the index: the exchange id is the document key and Kafka offsets
 * are committed only after the Lucene commit that holds them (the commit also records them, and a
 * restarted recorder resumes from there). The index directory also holds the recorder's Kafka
 * group member id ({@code group.instance.id}), so a recorder restarted on it, after a crash too,
 * gets its partitions back at once rather than after the old session times out. {@code /healthz}
 * says {@code degraded} while the broker cannot be reached or indexing lags it (the lag is the
 * broker's: log end offsets minus what is indexed). An empty or missing index directory, or
 * {@link RecorderConfig.Builder#rebuild(boolean) rebuild}, re-reads the topic from the beginning.
 *
 * <p>Every context sits behind core's {@link HttpEdge}: with a {@link
 * RecorderConfig.Builder#token(String) token}, every request except {@code /healthz} and {@link
 * RecorderConfig.Builder#publicExtension public extensions} must carry {@code Authorization: Bearer
 * TOKEN} or the session cookie {@value HttpEdge#TOKEN_COOKIE} (a login page, a public extension,
 * sets it with {@link HttpEdge#loginCookie()}); a loopback-bound recorder answers only requests whose
 * {@code Host} names it ({@code 421} otherwise). Every response, extensions' too, carries a strict
 * Content-Security-Policy, {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy:
 * no-referrer}.
 *
 * <p>Queries are bounded before and while they run: a query over the limits of its cost (length,
 * clauses, patterns, regular-expression size) is a {@code 400 bad_query}; a search, catalog or
 * export page stops at {@link RecorderConfig.Builder#queryTimeout(java.time.Duration) queryTimeout}
 * ({@code 503 query_timeout}); and only so many searches, exports and live streams are answered at
 * once ({@code 429}, see {@link RecorderConfig.Builder#maxSearches(int)}).
 */
public final class Recorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);

  private final RecorderConfig config;
  private final RecorderMetrics metrics;
  private final ExchangeIndex index;
  private final LiveStream stream;
  private final Ingestor ingestor;
  private final BrokerLag lag;
  private final HttpServer server;
  private final ExecutorService httpThreads;
  private boolean closed;

  private Recorder(RecorderConfig config, RecorderMetrics metrics, ExchangeIndex index, LiveStream stream,
      Ingestor ingestor, BrokerLag lag, HttpServer server, ExecutorService httpThreads) {
    this.config = config;
    this.metrics = metrics;
    this.index = index;
    this.stream = stream;
    this.ingestor = ingestor;
    this.lag = lag;
    this.server = server;
    this.httpThreads = httpThreads;
  }

  /**
   * Opens the index, starts consuming and starts the HTTP server; returns once the server listens
   * (ingestion catches up in the background).
   *
   * @throws UncheckedIOException when the index cannot be opened or the address cannot be bound
   */
  public static Recorder start(RecorderConfig config) {
    requireNonNull(config, "config");
    RecorderMetrics metrics = new RecorderMetrics(config.meterRegistry() != null ? config.meterRegistry() : Metrics.registry());
    ExchangeIndex index = ExchangeIndex.open(config.indexDir(), config.rebuild(), config.refreshInterval(),
        config.queryTimeout(), metrics.registry, config.endpoints());
    metrics.indexGauges(index::sizeOnDisk, index::size);
    LiveStream stream = new LiveStream(index, metrics, config.streamQueue(), config.slowClientTimeout());
    Ingestor ingestor;
    try {
      ingestor = new Ingestor(config, index, metrics);
    } catch (RuntimeException e) {
      stream.close();
      index.close();
      throw e;
    }
    HttpServer server;
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    try {
      server = HttpEdge.createServer(new InetSocketAddress(config.httpHost(), config.httpPort()), 0);
    } catch (IOException e) {
      stream.close();
      index.close();
      throw new UncheckedIOException("cannot listen on " + config.httpHost() + ":" + config.httpPort()
          + " (" + e.getMessage() + ")", e);
    }
    server.setExecutor(threads);
    BrokerLag lag = new BrokerLag(config, metrics, ingestor::positions, ingestor::assigned);
    HttpApi api = new HttpApi(index, stream, metrics, Capacity.of(config, metrics.registry), () -> health(ingestor, lag));
    Map<String, HttpHandler> gated = new LinkedHashMap<>(api.handlers());
    for (Map.Entry<String, HttpHandler> e : config.extensions().entrySet()) {
      gated.put(e.getKey(), e.getValue());
    }
    gated.putIfAbsent("/", HttpApi.notFoundHandler());
    HttpEdge edge = HttpEdge.token(config.token()).allowHosts(config.allowedHosts());
    if (config.publicExtensions().containsKey("/login")) {
      edge = edge.withLoginPage();
    }
    for (Map.Entry<String, HttpHandler> e : gated.entrySet()) {
      HttpContext ctx = server.createContext(e.getKey(), e.getValue());
      ctx.getFilters().add(e.getKey().equals("/healthz") ? edge.open() : edge.gate());
    }
    for (Map.Entry<String, HttpHandler> e : config.publicExtensions().entrySet()) {
      if (gated.containsKey(e.getKey())) {
        throw new IllegalArgumentException("context path " + e.getKey() + " is mounted twice");
      }
      server.createContext(e.getKey(), e.getValue()).getFilters().add(edge.open());
    }
    ingestor.start();
    lag.start();
    server.start();
    Recorder r = new Recorder(config, metrics, index, stream, ingestor, lag, server, threads);
    LOG.info("recorder on {} indexing {} from {} into {}", r.baseUri(), config.topic(), config.kafka(), config.indexDir());
    return r;
  }

  private static HttpApi.Health health(Ingestor ingestor, BrokerLag lag) {
    Throwable t = ingestor.failure();
    return new HttpApi.Health(t == null ? null : "ingestion stopped: " + t, lag.trouble(), lag.lag());
  }

  public RecorderConfig config() {
    return config;
  }

  /** The port the HTTP server listens on (the real one when the config asked for port 0). */
  public int httpPort() {
    return server.getAddress().getPort();
  }

  /** {@code http://HOST:PORT}, without a trailing slash. */
  public URI baseUri() {
    String host = server.getAddress().getHostString();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + httpPort());
  }

  /** The index, for search in the same process (the UI calls the HTTP API instead). */
  public ExchangeIndex index() {
    return index;
  }

  /** Prometheus text of the recorder's meters (what {@code /metrics} serves). */
  public String metricsText() {
    return metrics.scrape();
  }

  /**
   * Stops the HTTP server and the live stream, stops consuming, commits what was indexed (with its
   * offsets) and closes the index. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stream.close();
    server.stop(0);
    httpThreads.shutdownNow();
    lag.close();
    ingestor.stop();
    index.close();
    LOG.info("recorder on port {} stopped", server.getAddress().getPort());
  }
}
