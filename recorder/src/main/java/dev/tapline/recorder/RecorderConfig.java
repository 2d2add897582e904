package dev.tapline.recorder;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link Recorder}; build one with {@link #builder()}.
 *
 * <pre>{@code
 * RecorderConfig config = RecorderConfig.builder()
 *     .kafka("127.0.0.1:9092")
 *     .indexDir(Path.of("data/index"))
 *     .http("127.0.0.1", 0)                       // 0 = any free port
 *     .token("s3cret")                            // optional: every request then needs it
 *     .extension("/", uiStaticHandler)            // the UI's assets, served by the same server
 *     .extension("/api/generate", generateHandler)
 *     .publicExtension("/login", loginHandler)    // reachable without the token
 *     .build();
 * }</pre>
 */
public final class RecorderConfig {
  /** How long a query may run unless {@link Builder#queryTimeout} says otherwise. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(10);
  /** How long indexing may stay behind the broker before {@code /healthz} says degraded, by default. */
  public static final Duration DEFAULT_LAG_TOLERANCE = Duration.ofSeconds(10);

  private final String kafka;
  private final String topic;
  private final String dlqTopic;
  private final String groupId;
  private final Path indexDir;
  private final String httpHost;
  private final int httpPort;
  private final Duration retention;
  private final boolean rebuild;
  private final @Nullable String token;
  private final Map<String, HttpHandler> extensions;
  private final Map<String, HttpHandler> publicExtensions;
  private final int batchSize;
  private final Duration commitInterval;
  private final Duration refreshInterval;
  private final Duration retentionCheckInterval;
  private final int indexThreads;
  private final int streamQueue;
  private final Duration slowClientTimeout;
  private final Duration queryTimeout;
  private final Duration lagTolerance;
  private final int maxSearches;
  private final int maxExports;
  private final int maxStreams;
  private final @Nullable MeterRegistry meterRegistry;
  private final Endpoints endpoints;
  private final Set<String> allowedHosts;

  private RecorderConfig(Builder b) {
    this.kafka = requireNonNull(b.kafka, "kafka (bootstrap servers) must be set");
    this.topic = b.topic;
    this.dlqTopic = b.dlqTopic;
    this.groupId = b.groupId;
    this.indexDir = requireNonNull(b.indexDir, "indexDir must be set");
    this.httpHost = b.httpHost;
    this.httpPort = b.httpPort;
    this.retention = b.retention;
    this.rebuild = b.rebuild;
    this.token = b.token;
    this.extensions = Map.copyOf(b.extensions);
    this.publicExtensions = Map.copyOf(b.publicExtensions);
    this.batchSize = b.batchSize;
    this.commitInterval = b.commitInterval;
    this.refreshInterval = b.refreshInterval;
    this.retentionCheckInterval = b.retentionCheckInterval;
    this.indexThreads = b.indexThreads;
    this.streamQueue = b.streamQueue;
    this.slowClientTimeout = b.slowClientTimeout;
    this.queryTimeout = b.queryTimeout;
    this.lagTolerance = b.lagTolerance;
    this.maxSearches = b.maxSearches;
    this.maxExports = b.maxExports;
    this.maxStreams = b.maxStreams;
    this.meterRegistry = b.meterRegistry;
    this.endpoints = b.endpoints;
    this.allowedHosts = Set.copyOf(b.allowedHosts);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.kafka = kafka;
    b.topic = topic;
    b.dlqTopic = dlqTopic;
    b.groupId = groupId;
    b.indexDir = indexDir;
    b.httpHost = httpHost;
    b.httpPort = httpPort;
    b.retention = retention;
    b.rebuild = rebuild;
    b.token = token;
    b.extensions.putAll(extensions);
    b.publicExtensions.putAll(publicExtensions);
    b.batchSize = batchSize;
    b.commitInterval = commitInterval;
    b.refreshInterval = refreshInterval;
    b.retentionCheckInterval = retentionCheckInterval;
    b.indexThreads = indexThreads;
    b.streamQueue = streamQueue;
    b.slowClientTimeout = slowClientTimeout;
    b.queryTimeout = queryTimeout;
    b.lagTolerance = lagTolerance;
    b.maxSearches = maxSearches;
    b.maxExports = maxExports;
    b.maxStreams = maxStreams;
    b.meterRegistry = meterRegistry;
    b.endpoints = endpoints;
    b.allowedHosts.addAll(allowedHosts);
    return b;
  }

  public String kafka() { return kafka; }

  public String topic() { return topic; }

  public String dlqTopic() { return dlqTopic; }

  public String groupId() { return groupId; }

  public Path indexDir() { return indexDir; }

  public String httpHost() { return httpHost; }

  public int httpPort() { return httpPort; }

  public Duration retention() { return retention; }

  public boolean rebuild() { return rebuild; }

  public @Nullable String token() { return token; }

  /** Handlers mounted behind the token check, by context path. */
  public Map<String, HttpHandler> extensions() { return extensions; }

  /** Handlers mounted without the token check (a login page), by context path. */
  public Map<String, HttpHandler> publicExtensions() { return publicExtensions; }

  public int batchSize() { return batchSize; }

  public Duration commitInterval() { return commitInterval; }

  public Duration refreshInterval() { return refreshInterval; }

  public Duration retentionCheckInterval() { return retentionCheckInterval; }

  public int indexThreads() { return indexThreads; }

  public int streamQueue() { return streamQueue; }

  public Duration slowClientTimeout() { return slowClientTimeout; }

  /** How long one search, catalog or export page may run before it is stopped. */
  public Duration queryTimeout() { return queryTimeout; }

  /** Searches (and catalogs) answered at once; more are {@code 429}. */
  public int maxSearches() { return maxSearches; }

  /** Exports streamed at once; more are {@code 429}. */
  public int maxExports() { return maxExports; }

  /** Live-stream responses open at once; more are {@code 429}. */
  public int maxStreams() { return maxStreams; }

  /** How long indexing may stay behind the broker before {@code /healthz} says degraded. */
  public Duration lagTolerance() { return lagTolerance; }

  /** The registry the recorder's meters go on, or null for a Prometheus registry of its own. */
  public @Nullable MeterRegistry meterRegistry() { return meterRegistry; }

  /** The endpoint chain the index's {@code template} comes from (core's, shared by every stage). */
  public Endpoints endpoints() { return endpoints; }

  /** Host names the server answers for besides its own address and localhost. */
  public Set<String> allowedHosts() { return allowedHosts; }

  public static final class Builder {
    private @Nullable String kafka;
    private String topic = Topics.EXCHANGES;
    private String dlqTopic = Topics.EXCHANGES_DLQ;
    private String groupId = "tapline-recorder";
    private @Nullable Path indexDir;
    private String httpHost = "127.0.0.1";
    private int httpPort = 0;
    private Duration retention = Duration.ofDays(7);
    private boolean rebuild;
    private @Nullable String token;
    private final Map<String, HttpHandler> extensions = new LinkedHashMap<>();
    private final Map<String, HttpHandler> publicExtensions = new LinkedHashMap<>();
    private int batchSize = 2000;
    private Duration commitInterval = Duration.ofSeconds(1);
    private Duration refreshInterval = Duration.ofMillis(200);
    private Duration retentionCheckInterval = Duration.ofMinutes(1);
    // One core is left for what each indexed batch sets off: refreshes write segments, merges
    // rewrite them, commits sync them. On two cores one index thread indexed 9-15 % more per second
    // than two, at 13-15 % less CPU per exchange (docs/benchmarks-history.md, "Fifth session").
    private int indexThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));
    private int streamQueue = 1024;
    private Duration slowClientTimeout = Duration.ofSeconds(5);
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private Duration lagTolerance = DEFAULT_LAG_TOLERANCE;
    private int maxSearches = 8;
    private int maxExports = 2;
    private int maxStreams = 64;
    private @Nullable MeterRegistry meterRegistry;
    private Endpoints endpoints = Endpoints.defaults();
    private final Set<String> allowedHosts = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Puts the recorder's meters on this registry (one per process: {@code tapline up} shares it
     * with the proxy); {@code /metrics} serves it when it is, or holds, a Prometheus registry.
     */
    public Builder meterRegistry(@Nullable MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * The endpoint chain templates and GraphQL operations are indexed from (default: {@link
     * Endpoints#defaults()}, GraphQL operations then the heuristic templater). Changing it
     * for an existing index changes the templates of new exchanges only.
     */
    public Builder endpoints(Endpoints endpoints) {
      this.endpoints = requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * How long indexing may stay behind the broker (at least 1,000 records behind, or records
     * waiting and none indexed) before {@code /healthz} says {@code degraded}; default 10 s. A
     * short backlog after a burst stays {@code ok}.
     */
    public Builder lagTolerance(Duration tolerance) {
      requireNonNull(tolerance, "tolerance");
      if (tolerance.isNegative()) {
        throw new IllegalArgumentException("lagTolerance must not be negative: " + tolerance);
      }
      this.lagTolerance = tolerance;
      return this;
    }

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092}. Required. */
    public Builder kafka(String bootstrapServers) {
      this.kafka = nonBlank(bootstrapServers, "kafka");
      return this;
    }

    /** The exchanges topic; default {@code tapline.exchanges}. */
    public Builder topic(String topic) {
      this.topic = nonBlank(topic, "topic");
      return this;
    }

    /** Where undecodable records go; default {@code tapline.exchanges.dlq}. */
    public Builder dlqTopic(String dlqTopic) {
      this.dlqTopic = nonBlank(dlqTopic, "dlqTopic");
      return this;
    }

    /** Kafka consumer group; default {@code tapline-recorder}. */
    public Builder groupId(String groupId) {
      this.groupId = nonBlank(groupId, "groupId");
      return this;
    }

    /** Directory of the Lucene index (created when missing). Required. */
    public Builder indexDir(Path indexDir) {
      this.indexDir = requireNonNull(indexDir, "indexDir");
      return this;
    }

    /** Where the HTTP API listens; default 127.0.0.1 and port 0 (any free port). */
    public Builder http(String host, int port) {
      this.httpHost = nonBlank(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("http port must be 0..65535: " + port);
      }
      this.httpPort = port;
      return this;
    }

    /** Exchanges older than this are deleted from the index; default 7 days. */
    public Builder retention(Duration retention) {
      requireNonNull(retention, "retention");
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive: " + retention);
      }
      this.retention = retention;
      return this;
    }

    /** Discard the index and re-read the topic from the beginning. */
    public Builder rebuild(boolean rebuild) {
      this.rebuild = rebuild;
      return this;
    }

    /**
     * When set, every request (API, UI, extensions; not {@code /healthz} and not public extensions)
     * must carry {@code Authorization: Bearer TOKEN} or a login session cookie (see core's {@code
     * HttpEdge}).
     */
    public Builder token(@Nullable String token) {
      this.token = token == null || token.isEmpty() ? null : token;
      return this;
    }

    /**
     * Mounts {@code handler} at {@code contextPath} on the recorder's HTTP server, behind the token
     * check and with the same security headers as the API. The longest matching context wins, so
     * {@code "/"} receives every path the API does not serve.
     */
    public Builder extension(String contextPath, HttpHandler handler) {
      extensions.put(contextPath(contextPath), requireNonNull(handler, "handler"));
      return this;
    }

    /** Like {@link #extension} but reachable without the token (for a login page). */
    public Builder publicExtension(String contextPath, HttpHandler handler) {
      publicExtensions.put(contextPath(contextPath), requireNonNull(handler, "handler"));
      return this;
    }

    /** Most records indexed per poll; default 2000. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** How often indexed records are committed (Lucene, then Kafka offsets); default 1 s. */
    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = positive(commitInterval, "commitInterval");
      return this;
    }

    /** How often new documents become searchable; default 200 ms. */
    public Builder refreshInterval(Duration refreshInterval) {
      this.refreshInterval = positive(refreshInterval, "refreshInterval");
      return this;
    }

    /** How often retention runs; default 1 minute. */
    public Builder retentionCheckInterval(Duration interval) {
      this.retentionCheckInterval = positive(interval, "retentionCheckInterval");
      return this;
    }

    /**
     * Threads that add documents to the index (the ingest thread and indexThreads - 1 more), and as
     * many that decode the next batch meanwhile; default min(4, cores - 1), at least 1.
     */
    public Builder indexThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("indexThreads must be positive: " + threads);
      }
      this.indexThreads = threads;
      return this;
    }

    /** Events buffered per live-stream client before it counts as slow; default 1024. */
    public Builder streamQueue(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("streamQueue must be positive: " + events);
      }
      this.streamQueue = events;
      return this;
    }

    /** A stream client whose buffer stays full this long is dropped; default 5 s. */
    public Builder slowClientTimeout(Duration timeout) {
      this.slowClientTimeout = positive(timeout, "slowClientTimeout");
      return this;
    }

    /**
     * How long one search, endpoint catalog or page of an export may run; past it the query is
     * stopped and the API answers {@code 503 query_timeout}. Each look of the live stream gets at most
     * a second of it. Default 10 s.
     */
    public Builder queryTimeout(Duration timeout) {
      this.queryTimeout = positive(timeout, "queryTimeout");
      return this;
    }

    /** Searches and endpoint catalogs answered at once; another one is {@code 429}. Default 8. */
    public Builder maxSearches(int n) {
      this.maxSearches = atLeastOne(n, "maxSearches");
      return this;
    }

    /** Exports streamed at once; another one is {@code 429}. Default 2. */
    public Builder maxExports(int n) {
      this.maxExports = atLeastOne(n, "maxExports");
      return this;
    }

    /** Live-stream responses open at once; another one is {@code 429}. Default 64. */
    public Builder maxStreams(int n) {
      this.maxStreams = atLeastOne(n, "maxStreams");
      return this;
    }

    /**
     * Host names (without port) the server also answers for, e.g. the name of a reverse proxy in
     * front of it; a loopback-bound recorder otherwise answers only its own address and localhost.
     */
    public Builder allowedHosts(Collection<String> names) {
      requireNonNull(names, "names").forEach(n -> allowedHosts.add(requireNonNull(n, "name")));
      return this;
    }

    public RecorderConfig build() {
      return new RecorderConfig(this);
    }

    private static String contextPath(String path) {
      requireNonNull(path, "contextPath");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("contextPath must start with '/': " + path);
      }
      return path;
    }

    private static String nonBlank(String v, String name) {
      requireNonNull(v, name);
      if (v.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return v;
    }

    private static int atLeastOne(int n, String name) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + n);
      }
      return n;
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
