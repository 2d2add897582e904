package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Redactor;
import dev.tapline.core.RoutingKeys;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link CaptureProxy} needs, immutable. Build with {@link #builder()}; only {@code
 * service} and {@code baseline} are required.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.builder()
 *     .service("orders")
 *     .baseline(URI.create("http://127.0.0.1:8081"))
 *     .sandbox("demo-v2", URI.create("http://127.0.0.1:8082"))
 *     .route("pr-42", RouteSpec.to(sandbox).withOverride(new RouteSpec.Override(URI.create("http://127.0.0.1:8000"))))
 *     .kafkaBootstrap("127.0.0.1:9092")          // null: capture goes nowhere
 *     .capture(CapturePolicy.ALL)
 *     .listen("127.0.0.1", 8080)
 *     .admin("127.0.0.1", 8079)
 *     .adminToken(System.getenv("TAPLINE_TOKEN"))  // null: the admin port needs no token
 *     .build();
 * }</pre>
 */
public final class ProxyConfig {
  /** Default bound on each captured body: 1 MiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  /** Default cap on the route table: 1000 routing keys. */
  public static final int DEFAULT_MAX_ROUTES = 1000;
  /** Default cap on open client connections: 10,000. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Default cap on open client connections from one address: 256. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
  /** Default time a client has for a whole request head: 10 s, like nginx's {@code client_header_timeout}. */
  public static final Duration DEFAULT_CLIENT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  /** Default time a request body may go without progress: 60 s, like nginx's {@code client_body_timeout}. */
  public static final Duration DEFAULT_CLIENT_BODY_TIMEOUT = Duration.ofSeconds(60);
  /** Default time an idle keep-alive client connection stays open: 60 s. */
  public static final Duration DEFAULT_CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Default bound on the disk spool: 1 GiB. */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 1L << 30;
  /** Default response header by which an override says its answer is the one to use. */
  public static final String DEFAULT_OVERRIDE_HEADER = "sd-override";
  /** Default bound on a request body kept for an override's fallback: 1 MiB. */
  public static final int DEFAULT_OVERRIDE_MAX_BODY = 1 << 20;
  /** Default time an override has to connect and answer before the request falls back: 5 s. */
  public static final Duration DEFAULT_OVERRIDE_TIMEOUT = Duration.ofSeconds(5);

  private final String listenHost;
  private final int listenPort;
  private final String service;
  private final URI baseline;
  private final Map<String, RouteSpec> routes;
  private final String overrideHeader;
  private final int overrideMaxBody;
  private final Duration overrideTimeout;
  private final @Nullable URI recorderUrl;
  private final @Nullable String recorderToken;
  private final @Nullable String kafkaBootstrap;
  private final String topic;
  private final CapturePolicy capture;
  private final double sampleRate;
  private final int maxBodyBytes;
  private final String transport;
  private final @Nullable Path upstreamCa;
  private final List<String> include;
  private final List<String> exclude;
  private final @Nullable String adminHost;
  private final int adminPort;
  private final @Nullable String adminToken;
  private final Set<String> adminAllowedHosts;
  private final int maxRoutes;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final RoutingKeys routingKeys;
  private final Redactor redactor;
  private final String proxyId;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration clientIdleTimeout;
  private final Duration clientHeaderTimeout;
  private final Duration clientBodyTimeout;
  private final @Nullable ExchangeSink sink;
  private final @Nullable Path spoolDir;
  private final long spoolMaxBytes;
  private final int queueCapacity;
  private final @Nullable MeterRegistry meterRegistry;
  private final Builder source;

  private ProxyConfig(Builder b) {
    this.source = b.copy();
    this.listenHost = b.listenHost;
    this.listenPort = b.listenPort;
    this.service = requireNonNull(b.service, "service");
    if (service.isBlank()) {
      throw new IllegalArgumentException("service must not be blank");
    }
    this.baseline = Upstream.validate(requireNonNull(b.baseline, "baseline"), "baseline");
    this.maxRoutes = atLeastOne(b.maxRoutes, "maxRoutes");
    Map<String, RouteSpec> routes = new LinkedHashMap<>();
    b.routes.forEach((k, v) -> routes.put(RouteTable.validKey(k), requireNonNull(v, "route " + k)));
    if (routes.size() > maxRoutes) {
      throw new IllegalArgumentException(routes.size() + " routes are more than maxRoutes (" + maxRoutes
          + "): raise maxRoutes (--max-routes) or give fewer");
    }
    this.routes = java.util.Collections.unmodifiableMap(routes);
    this.overrideHeader = requireNonNull(b.overrideHeader, "overrideHeader").strip();
    if (overrideHeader.isEmpty() || !overrideHeader.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
      throw new IllegalArgumentException("overrideHeader must be a header name like sd-override: " + b.overrideHeader);
    }
    if (b.overrideMaxBody < 0) {
      throw new IllegalArgumentException("overrideMaxBody must not be negative: " + b.overrideMaxBody);
    }
    this.overrideMaxBody = b.overrideMaxBody;
    this.overrideTimeout = positive(b.overrideTimeout, "overrideTimeout");
    if (b.recorderUrl != null) {
      String scheme = String.valueOf(b.recorderUrl.getScheme());
      if (!(scheme.equals("http") || scheme.equals("https")) || b.recorderUrl.getHost() == null) {
        throw new IllegalArgumentException("recorder must be an http(s) URL like http://127.0.0.1:7070: " + b.recorderUrl);
      }
    }
    this.recorderUrl = b.recorderUrl;
    this.recorderToken = b.recorderToken == null || b.recorderToken.isBlank() ? null : b.recorderToken.strip();
    this.kafkaBootstrap = b.kafkaBootstrap == null || b.kafkaBootstrap.isBlank() ? null : b.kafkaBootstrap;
    this.topic = requireNonNull(b.topic, "topic");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    this.capture = requireNonNull(b.capture, "capture");
    if (!(b.sampleRate >= 0 && b.sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be between 0 and 1: " + b.sampleRate);
    }
    this.sampleRate = b.sampleRate;
    if (b.maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes must not be negative: " + b.maxBodyBytes);
    }
    this.maxBodyBytes = b.maxBodyBytes;
    this.transport = b.transport;
    if (b.upstreamCa != null && !Files.isReadable(b.upstreamCa)) {
      throw new IllegalArgumentException("upstream CA file cannot be read: " + b.upstreamCa);
    }
    this.upstreamCa = b.upstreamCa;
    this.include = List.copyOf(b.include);
    this.exclude = List.copyOf(b.exclude);
    PathGlobs.of(include, exclude); // fail early on a bad glob
    this.adminHost = b.adminHost;
    this.adminPort = b.adminPort;
    this.adminToken = b.adminToken == null || b.adminToken.isEmpty() ? null : b.adminToken;
    HttpEdge.token(null).allowHosts(b.adminAllowedHosts); // fail early on a name that is not a host
    this.adminAllowedHosts = Set.copyOf(b.adminAllowedHosts);
    this.maxConnections = atLeastOne(b.maxConnections, "maxConnections");
    this.maxConnectionsPerAddress = atLeastOne(b.maxConnectionsPerAddress, "maxConnectionsPerAddress");
    checkPort(listenPort, "listen port");
    checkPort(adminPort, "admin port");
    this.routingKeys = requireNonNull(b.routingKeys, "routingKeys");
    this.redactor = requireNonNull(b.redactor, "redactor");
    this.proxyId = b.proxyId != null ? b.proxyId : defaultProxyId();
    this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.responseTimeout = positive(b.responseTimeout, "responseTimeout");
    this.clientIdleTimeout = positive(b.clientIdleTimeout, "clientIdleTimeout");
    this.clientHeaderTimeout = positive(b.clientHeaderTimeout, "clientHeaderTimeout");
    this.clientBodyTimeout = positive(b.clientBodyTimeout, "clientBodyTimeout");
    this.sink = b.sink;
    this.spoolDir = b.spoolDir;
    if (b.spoolMaxBytes < 1024 * 1024) {
      throw new IllegalArgumentException("spoolMaxBytes must be at least 1 MiB (1048576): " + b.spoolMaxBytes);
    }
    this.spoolMaxBytes = b.spoolMaxBytes;
    if (b.queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be positive: " + b.queueCapacity);
    }
    this.queueCapacity = b.queueCapacity;
    this.meterRegistry = b.meterRegistry;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return source.copy();
  }

  public String listenHost() { return listenHost; }
  /** The port to listen on; 0 picks a free one (see {@link CaptureProxy#port()}). */
  public int listenPort() { return listenPort; }
  public String service() { return service; }
  public URI baseline() { return baseline; }
  /** The initial route table: routing key → route (a sandbox upstream, an override, rules), in order given. */
  public Map<String, RouteSpec> routes() { return routes; }
  /** The response header by which an override says its answer is the one to use ({@code true}). */
  public String overrideHeader() { return overrideHeader; }
  /**
   * The largest request body kept for an override's fallback; a request with a larger body skips
   * the override (and its response says so in {@code Tapline-Override}).
   */
  public int overrideMaxBody() { return overrideMaxBody; }
  /** How long an override has to connect and send a response head before the request falls back. */
  public Duration overrideTimeout() { return overrideTimeout; }
  /** The recorder that mocks of recorded exchanges read, or null for none. */
  public @Nullable URI recorderUrl() { return recorderUrl; }
  /** The recorder's bearer token, or null. */
  public @Nullable String recorderToken() { return recorderToken; }
  /** Kafka bootstrap servers, or null when captures go nowhere (unless a {@link #sink()} is set). */
  public @Nullable String kafkaBootstrap() { return kafkaBootstrap; }
  public String topic() { return topic; }
  public CapturePolicy capture() { return capture; }
  public double sampleRate() { return sampleRate; }
  public int maxBodyBytes() { return maxBodyBytes; }
  /** The socket transport: {@code auto} (io_uring, else epoll, else NIO), {@code io_uring}, {@code epoll} or {@code nio}. */
  public String transport() { return transport; }
  /**
   * PEM certificates to trust for {@code https://} upstreams instead of the JDK's default trust
   * store (a private CA or a self-signed upstream), or null for the default.
   */
  public @Nullable Path upstreamCa() { return upstreamCa; }
  public List<String> include() { return include; }
  public List<String> exclude() { return exclude; }
  /** Admin host, or null when there is no admin server. */
  public @Nullable String adminHost() { return adminHost; }
  public int adminPort() { return adminPort; }
  /** The bearer token the admin port requires on {@code /metrics} and {@code /routes}, or null for none. */
  public @Nullable String adminToken() { return adminToken; }
  /** Host names the admin port answers for besides its own address and localhost. */
  public Set<String> adminAllowedHosts() { return adminAllowedHosts; }
  /** How many routing keys the route table may hold. */
  public int maxRoutes() { return maxRoutes; }
  /** Open client connections beyond which new ones are closed at accept. */
  public int maxConnections() { return maxConnections; }
  /** Open client connections from one IP address beyond which its new ones are closed at accept. */
  public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
  public RoutingKeys routingKeys() { return routingKeys; }
  public Redactor redactor() { return redactor; }
  public String proxyId() { return proxyId; }
  public Duration connectTimeout() { return connectTimeout; }
  public Duration responseTimeout() { return responseTimeout; }
  /** How long a keep-alive client connection may sit between requests before it is closed. */
  public Duration clientIdleTimeout() { return clientIdleTimeout; }
  /** How long a client has for a whole request head (from its first byte, or from accept): then 408. */
  public Duration clientHeaderTimeout() { return clientHeaderTimeout; }
  /** How long a request body may go without a byte while the proxy waits for one: then 408. */
  public Duration clientBodyTimeout() { return clientBodyTimeout; }
  /** A sink that replaces the Kafka one, or null. */
  public @Nullable ExchangeSink sink() { return sink; }
  /** Where captures wait on disk while Kafka does not take them, or null for no spool (they are dropped). */
  public @Nullable Path spoolDir() { return spoolDir; }
  /** The spool's bound in bytes; beyond it captures are dropped. */
  public long spoolMaxBytes() { return spoolMaxBytes; }
  public int queueCapacity() { return queueCapacity; }
  /** The registry the proxy's meters go on, or null for a {@code PrometheusMeterRegistry} of its own. */
  public @Nullable MeterRegistry meterRegistry() { return meterRegistry; }

  private static void checkPort(int port, String what) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(what + " must be between 0 and 65535: " + port);
    }
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

  private static String defaultProxyId() {
    // RuntimeMXBean name is "pid@host": unique enough per running proxy.
    String name = ManagementFactory.getRuntimeMXBean().getName();
    int at = name.indexOf('@');
    return at < 0 ? "tapline-proxy-" + name : name.substring(at + 1) + "-" + name.substring(0, at);
  }

  /** Mutable builder; {@link #build()} validates and freezes. */
  public static final class Builder {
    private String listenHost = "127.0.0.1";
    private int listenPort = 0;
    private @Nullable String service;
    private @Nullable URI baseline;
    private Map<String, RouteSpec> routes = new LinkedHashMap<>();
    private String overrideHeader = DEFAULT_OVERRIDE_HEADER;
    private int overrideMaxBody = DEFAULT_OVERRIDE_MAX_BODY;
    private Duration overrideTimeout = DEFAULT_OVERRIDE_TIMEOUT;
    private @Nullable URI recorderUrl;
    private @Nullable String recorderToken;
    private @Nullable String kafkaBootstrap;
    private String topic = Topics.EXCHANGES;
    private CapturePolicy capture = CapturePolicy.SANDBOXED;
    private double sampleRate = 1.0;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private String transport = Transport.AUTO;
    private @Nullable Path upstreamCa;
    private List<String> include = List.of();
    private List<String> exclude = List.of();
    private @Nullable String adminHost;
    private int adminPort = 0;
    private @Nullable String adminToken;
    private Set<String> adminAllowedHosts = new LinkedHashSet<>();
    private int maxRoutes = DEFAULT_MAX_ROUTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private RoutingKeys routingKeys = RoutingKeys.defaults();
    private Redactor redactor = Redactor.defaults();
    private @Nullable String proxyId;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(60);
    private Duration clientIdleTimeout = DEFAULT_CLIENT_IDLE_TIMEOUT;
    private Duration clientHeaderTimeout = DEFAULT_CLIENT_HEADER_TIMEOUT;
    private Duration clientBodyTimeout = DEFAULT_CLIENT_BODY_TIMEOUT;
    private @Nullable ExchangeSink sink;
    private @Nullable Path spoolDir;
    private long spoolMaxBytes = DEFAULT_SPOOL_MAX_BYTES;
    private int queueCapacity = 8192;
    private @Nullable MeterRegistry meterRegistry;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.listenHost = listenHost;
      b.listenPort = listenPort;
      b.service = service;
      b.baseline = baseline;
      b.routes = new LinkedHashMap<>(routes);
      b.overrideHeader = overrideHeader;
      b.overrideMaxBody = overrideMaxBody;
      b.overrideTimeout = overrideTimeout;
      b.recorderUrl = recorderUrl;
      b.recorderToken = recorderToken;
      b.kafkaBootstrap = kafkaBootstrap;
      b.topic = topic;
      b.capture = capture;
      b.sampleRate = sampleRate;
      b.maxBodyBytes = maxBodyBytes;
      b.transport = transport;
      b.upstreamCa = upstreamCa;
      b.include = include;
      b.exclude = exclude;
      b.adminHost = adminHost;
      b.adminPort = adminPort;
      b.adminToken = adminToken;
      b.adminAllowedHosts = new LinkedHashSet<>(adminAllowedHosts);
      b.maxRoutes = maxRoutes;
      b.maxConnections = maxConnections;
      b.maxConnectionsPerAddress = maxConnectionsPerAddress;
      b.routingKeys = routingKeys;
      b.redactor = redactor;
      b.proxyId = proxyId;
      b.connectTimeout = connectTimeout;
      b.responseTimeout = responseTimeout;
      b.clientIdleTimeout = clientIdleTimeout;
      b.clientHeaderTimeout = clientHeaderTimeout;
      b.clientBodyTimeout = clientBodyTimeout;
      b.sink = sink;
      b.spoolDir = spoolDir;
      b.spoolMaxBytes = spoolMaxBytes;
      b.queueCapacity = queueCapacity;
      b.meterRegistry = meterRegistry;
      return b;
    }

    /** Where clients connect; default {@code 127.0.0.1:0} (a free port). */
    public Builder listen(String host, int port) {
      this.listenHost = requireNonNull(host, "host");
      this.listenPort = port;
      return this;
    }

    /** The logical service name written into every exchange. Required. */
    public Builder service(String service) {
      this.service = requireNonNull(service, "service");
      return this;
    }

    /** Where requests without a (known) routing key go; {@code http(s)://host:port}. Required. */
    public Builder baseline(URI baseline) {
      this.baseline = requireNonNull(baseline, "baseline");
      return this;
    }

    /** Routes requests carrying routing key {@code key} to {@code upstream}. */
    public Builder sandbox(String key, URI upstream) {
      return route(key, RouteSpec.to(upstream));
    }

    /** Routes requests carrying each key to its upstream, in place of the routes set so far. */
    public Builder sandboxes(Map<String, URI> upstreams) {
      this.routes = new LinkedHashMap<>();
      requireNonNull(upstreams, "upstreams").forEach(this::sandbox);
      return this;
    }

    /** Sets the route of routing key {@code key}: a sandbox upstream, an override, rules. */
    public Builder route(String key, RouteSpec route) {
      routes.put(requireNonNull(key, "key"), requireNonNull(route, "route"));
      return this;
    }

    /** The initial route table, in place of the routes set so far. */
    public Builder routes(Map<String, RouteSpec> table) {
      this.routes = new LinkedHashMap<>(requireNonNull(table, "table"));
      return this;
    }

    /** The response header by which an override says its answer is the one to use; default {@code sd-override}. */
    public Builder overrideHeader(String name) {
      this.overrideHeader = requireNonNull(name, "name");
      return this;
    }

    /** The largest request body kept for an override's fallback; default 1 MiB. Larger ones skip the override. */
    public Builder overrideMaxBody(int bytes) {
      this.overrideMaxBody = bytes;
      return this;
    }

    /** How long an override has to connect and send a response head before the request falls back; default 5 s. */
    public Builder overrideTimeout(Duration d) {
      this.overrideTimeout = d;
      return this;
    }

    /**
     * The recorder (its HTTP API, e.g. {@code http://127.0.0.1:7070}) and its token, which mock rules
     * that answer with a recorded exchange read. Null (the default): such rules are refused.
     */
    public Builder recorder(@Nullable URI url, @Nullable String token) {
      this.recorderUrl = url;
      this.recorderToken = token;
      return this;
    }

    /** Kafka bootstrap servers; null (the default) means captures are discarded. */
    public Builder kafkaBootstrap(@Nullable String bootstrap) {
      this.kafkaBootstrap = bootstrap;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = requireNonNull(topic, "topic");
      return this;
    }

    public Builder capture(CapturePolicy policy) {
      this.capture = requireNonNull(policy, "policy");
      return this;
    }

    /** Fraction of eligible requests to capture, 0 to 1; default 1. */
    public Builder sampleRate(double rate) {
      this.sampleRate = rate;
      return this;
    }

    /** PEM certificates to trust for {@code https://} upstreams; null for the JDK's default trust store. */
    public Builder upstreamCa(@Nullable Path pemFile) {
      this.upstreamCa = pemFile;
      return this;
    }

    /**
     * {@code auto} (the default), {@code io_uring}, {@code epoll} or {@code nio}.
     *
     * @throws IllegalArgumentException for any other name, listing the accepted ones
     */
    public Builder transport(String name) {
      this.transport = Transport.check(requireNonNull(name, "transport"));
      return this;
    }

    /** Bound on each captured body (request and response separately); the rest is counted. */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /** Path globs ({@code *} within a segment, {@code **} across, {@code ?} one char) to capture. */
    public Builder include(List<String> globs) {
      this.include = List.copyOf(globs);
      return this;
    }

    /** Path globs never to capture; exclude wins over include. */
    public Builder exclude(List<String> globs) {
      this.exclude = List.copyOf(globs);
      return this;
    }

    /** Starts the admin server ({@code /healthz}, {@code /metrics}, {@code /routes}); port 0 = free. */
    public Builder admin(@Nullable String host, int port) {
      this.adminHost = host;
      this.adminPort = port;
      return this;
    }

    /**
     * Requires {@code token} ({@code Authorization: Bearer TOKEN}) on the admin port's {@code /metrics}
     * and {@code /routes}; {@code /healthz} stays open. Null or empty (the default): no token.
     */
    public Builder adminToken(@Nullable String token) {
      this.adminToken = token;
      return this;
    }

    /**
     * Host names (without port) the admin port also answers for, e.g. a reverse proxy's name. A
     * loopback-bound admin port otherwise answers only requests whose {@code Host} is its own
     * address or {@code localhost} (421 for others), which shuts out DNS rebinding.
     */
    public Builder adminAllowedHosts(Collection<String> names) {
      requireNonNull(names, "names").forEach(n -> adminAllowedHosts.add(requireNonNull(n, "name")));
      return this;
    }

    /** How many routing keys the route table may hold; default 1000. Beyond it, a new route is refused. */
    public Builder maxRoutes(int max) {
      this.maxRoutes = max;
      return this;
    }

    /** Open client connections beyond which new ones are closed at accept; default 10,000. */
    public Builder maxConnections(int max) {
      this.maxConnections = max;
      return this;
    }

    /**
     * Open client connections from one IP address beyond which its new ones are closed at accept;
     * default 256. Behind a load balancer every connection comes from its few addresses: raise it.
     */
    public Builder maxConnectionsPerAddress(int max) {
      this.maxConnectionsPerAddress = max;
      return this;
    }

    public Builder routingKeys(RoutingKeys keys) {
      this.routingKeys = requireNonNull(keys, "keys");
      return this;
    }

    public Builder redactor(Redactor redactor) {
      this.redactor = requireNonNull(redactor, "redactor");
      return this;
    }

    public Builder proxyId(String id) {
      this.proxyId = requireNonNull(id, "id");
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    public Builder responseTimeout(Duration d) {
      this.responseTimeout = d;
      return this;
    }

    /** How long a keep-alive client connection may sit idle between requests; default 60 s. */
    public Builder clientIdleTimeout(Duration d) {
      this.clientIdleTimeout = d;
      return this;
    }

    /**
     * How long a client has to send a whole request head, counted from its first byte (from accept
     * for a new connection); default 10 s. Then 408 and the connection closes; a new connection
     * that sent nothing is closed without an answer.
     */
    public Builder clientHeaderTimeout(Duration d) {
      this.clientHeaderTimeout = d;
      return this;
    }

    /**
     * How long a request body may go without a byte while the proxy is waiting for one (not while
     * the upstream holds it back); default 60 s. Then 408 and the connection closes.
     */
    public Builder clientBodyTimeout(Duration d) {
      this.clientBodyTimeout = d;
      return this;
    }

    /** Sends captures to this sink instead of Kafka (tests, files, custom transports). */
    public Builder sink(@Nullable ExchangeSink sink) {
      this.sink = sink;
      return this;
    }

    /**
     * Keeps captures in segment files under {@code dir} (created {@code 0700}, files {@code 0600})
     * while Kafka is unreachable or stalled, and sends them, oldest first, when it takes them again;
     * a proxy started on a spool that holds captures sends those first. Null (the default): such
     * captures are dropped. Only for the Kafka sink (not with {@link #sink}); one proxy per directory.
     */
    public Builder spoolDir(@Nullable Path dir) {
      this.spoolDir = dir;
      return this;
    }

    /** The spool's bound in bytes (at least 1 MiB; default 1 GiB): beyond it captures are dropped and counted. */
    public Builder spoolMaxBytes(long bytes) {
      this.spoolMaxBytes = bytes;
      return this;
    }

    /** How many captures may wait for the publisher before new ones are dropped; default 8192. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Registers the proxy's meters on {@code registry} (the process's one, e.g. the recorder's)
     * instead of a {@code PrometheusMeterRegistry} of its own, the default. The admin port's {@code
     * /metrics} serves the registry when it is a Prometheus one or a composite holding one. Proxies
     * given the same registry count into the same meters.
     */
    public Builder meterRegistry(@Nullable MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    public ProxyConfig build() {
      return new ProxyConfig(this);
    }
  }
}
