package dev.tapline.core.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one client of a recorder's HTTP API (docs/API.md), used by every command, the UI's test
 * generation and the MCP server: search, the endpoint catalog, one exchange, the NDJSON export and
 * the live stream, with the recorder's token when it has one.
 *
 * <pre>{@code
 * RecorderClient recorder = RecorderClient.builder("http://127.0.0.1:7070").token(token).build();
 * Page page = recorder.search("service:orders AND status:5xx", 20, null);
 * List<EndpointStats> catalog = recorder.endpoints("orders", null);
 * try (ExchangeReader all = recorder.export("service:orders")) { ... }
 * }</pre>
 *
 * <p>Every failure is an {@link IOException} whose message starts with the URL asked for and says
 * why in one line: {@code cannot connect (connection refused)}, {@code HTTP 400: {"error":...}} (the
 * start of the recorder's error body), {@code HTTP 401: ...}; an answered error is a {@link
 * RecorderException} carrying the status and the recorder's error code. Thread-safe.
 */
public final class RecorderClient implements AutoCloseable {
  /** The recorder endpoint that streams exchanges as NDJSON. */
  public static final String EXPORT_PATH = "/api/export";
  /** Connect timeout unless the builder says otherwise. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final int ERROR_BODY_BYTES = 300;
  private static final ObjectReader JSON = ExchangeCodec.mapper().reader()
      .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final URI base;
  private final @Nullable String token;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Map<String, String> headers;
  private final HttpClient client;

  /** An answer other than 2xx from the recorder. */
  public static final class RecorderException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final @Nullable String code;
    private final @Nullable String detail;

    RecorderException(String message, int status, @Nullable String code, @Nullable String detail) {
      super(message);
      this.status = status;
      this.code = code;
      this.detail = detail;
    }

    public int status() {
      return status;
    }

    /** The recorder's error code ({@code bad_query}, {@code unauthorized}, ...), or null. */
    public @Nullable String code() {
      return code;
    }

    /** The recorder's {@code detail}, or null when the body was not one of its JSON errors. */
    public @Nullable String detail() {
      return detail;
    }
  }

  private RecorderClient(Builder b) {
    this.base = b.base;
    this.token = b.token;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.headers = Map.copyOf(b.headers);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
  }

  /**
   * A client of the recorder at {@code url} ({@code http(s)://host:port}, optionally under a path
   * prefix such as {@code https://tools/tapline/}; a trailing {@code /api/export} is ignored).
   *
   * @throws IOException {@code <url>: not a valid URL (...)}
   */
  public static Builder builder(String url) throws IOException {
    return new Builder(baseOf(requireNonNull(url, "url")));
  }

  /** Immutable settings of a {@link RecorderClient}. */
  public static final class Builder {
    private final URI base;
    private @Nullable String token;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = Duration.ofSeconds(60);
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder(URI base) {
      this.base = base;
    }

    /** The recorder's token, sent as {@code Authorization: Bearer}; null or empty for none. */
    public Builder token(@Nullable String token) {
      this.token = token == null || token.isBlank() ? null : token.strip();
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = requireNonNull(d, "connectTimeout");
      return this;
    }

    /** How long a search, catalog or exchange request may take (not the export or the stream). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = requireNonNull(d, "requestTimeout");
      return this;
    }

    /** An extra header sent with every request. */
    public Builder header(String name, String value) {
      headers.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      return this;
    }

    public RecorderClient build() {
      return new RecorderClient(this);
    }
  }

  /** The recorder's base URL, without a trailing slash. */
  public String baseUrl() {
    return base.toString();
  }

  /**
   * One page of summaries matching {@code q}, newest first.
   *
   * @param limit 1..1000
   * @param cursor the {@link Page#nextCursor()} of the previous page, or null
   */
  public Page search(@Nullable String q, int limit, @Nullable String cursor) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    putIf(params, "q", q);
    params.put("limit", Integer.toString(limit));
    putIf(params, "cursor", cursor);
    JsonNode n = getJson("/api/exchanges", params);
    List<ExchangeSummary> items = new ArrayList<>();
    for (JsonNode item : n.path("items")) {
      items.add(JSON.treeToValue(item, ExchangeSummary.class));
    }
    JsonNode next = n.get("nextCursor");
    return new Page(items, next == null || next.isNull() ? null : next.asText());
  }

  /** The endpoint catalog, filtered by service and routing key ({@code ""}: baseline only) when given. */
  public List<EndpointStats> endpoints(@Nullable String service, @Nullable String routingKey) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    putIf(params, "service", service);
    if (routingKey != null) {
      params.put("routingKey", routingKey);
    }
    JsonNode n = getJson("/api/endpoints", params);
    List<EndpointStats> out = new ArrayList<>();
    for (JsonNode e : n.path("endpoints")) {
      out.add(JSON.treeToValue(e, EndpointStats.class));
    }
    return out;
  }

  /** The whole exchange with this id, or empty when the recorder has none. */
  public Optional<Exchange> exchange(String id) throws IOException {
    requireNonNull(id, "id");
    URI uri = uri("/api/exchanges/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"), Map.of());
    HttpResponse<byte[]> resp = send(uri, "application/json", requestTimeout, HttpResponse.BodyHandlers.ofByteArray());
    if (resp.statusCode() == 404) {
      return Optional.empty();
    }
    if (resp.statusCode() != 200) {
      throw failure(uri, resp.statusCode(), resp.body());
    }
    try {
      return Optional.of(ExchangeCodec.decode(resp.body()));
    } catch (ExchangeCodec.DecodeException e) {
      throw new IOException(uri + ": not an exchange: " + e.getMessage(), e);
    }
  }

  /**
   * Every exchange matching {@code q}, oldest first, streamed: read it with {@link
   * ExchangeReader#next()} and close it. The reader's {@link ExchangeReader#name()} is the URL.
   */
  public ExchangeReader export(@Nullable String q) throws IOException {
    URI uri = exportUri(q);
    InputStream body = exportStream(uri);
    return ExchangeReader.of(new InputStreamReader(body, StandardCharsets.UTF_8), uri.toString());
  }

  /** The export's raw NDJSON bytes (one exchange per line), for copying; close it. */
  public InputStream exportBytes(@Nullable String q) throws IOException {
    return exportStream(exportUri(q));
  }

  private InputStream exportStream(URI uri) throws IOException {
    HttpResponse<InputStream> resp = send(uri, "application/x-ndjson", null, HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) {
      byte[] head;
      try (InputStream in = resp.body()) {
        head = in.readNBytes(ERROR_BODY_BYTES);
      }
      throw failure(uri, resp.statusCode(), head);
    }
    return resp.body();
  }

  /** The export URL for {@code q}, as {@link #export} asks for it. */
  public URI exportUri(@Nullable String q) {
    Map<String, String> params = new LinkedHashMap<>();
    putIf(params, "q", q == null || q.isBlank() ? null : q);
    return uri(EXPORT_PATH, params);
  }

  /**
   * The live stream of exchanges matching {@code q} as they are indexed (Server-Sent Events).
   *
   * @param follow keep the response open and wait for new traffic; false ends at what is indexed now
   * @param lastEventId resume after this event ({@link StreamEvent#id()}), or null for "from now"
   */
  public EventStream stream(@Nullable String q, boolean follow, @Nullable String lastEventId) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    putIf(params, "q", q);
    if (!follow) {
      params.put("follow", "false");
    }
    URI uri = uri("/api/stream", params);
    HttpRequest.Builder rb = request(uri, "text/event-stream", null);
    if (lastEventId != null) {
      rb.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> resp = send(uri, rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) {
      byte[] head;
      try (InputStream in = resp.body()) {
        head = in.readNBytes(ERROR_BODY_BYTES);
      }
      throw failure(uri, resp.statusCode(), head);
    }
    return new EventStream(uri.toString(), resp.body());
  }

  /** One Server-Sent Event of the live stream: {@code exchange} (with its summary) or {@code end}. */
  public record StreamEvent(String type, @Nullable String id, @Nullable ExchangeSummary summary) {}

  /** The open live stream; {@link #next()} blocks until an event arrives. Close it to stop. */
  public static final class EventStream implements AutoCloseable {
    private final String name;
    private final BufferedReader in;

    EventStream(String name, InputStream body) {
      this.name = name;
      this.in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null when the recorder ended the response. */
    public @Nullable StreamEvent next() throws IOException {
      String type = "message";
      String id = null;
      StringBuilder data = new StringBuilder();
      boolean any = false;
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (any && (data.length() > 0 || type.equals("end"))) {
            ExchangeSummary s = type.equals("exchange") && data.length() > 0
                ? JSON.readValue(data.toString(), ExchangeSummary.class) : null;
            return new StreamEvent(type, id, s);
          }
          type = "message";
          data.setLength(0);
          any = false;
          continue;
        }
        if (line.startsWith(":")) {
          continue; // a comment: heartbeat
        }
        any = true;
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
        switch (field) {
          case "event" -> type = value;
          case "id" -> id = value;
          case "data" -> data.append(data.length() == 0 ? "" : "\n").append(value);
          default -> { } // retry: and unknown fields
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  // ---- plumbing ----

  private JsonNode getJson(String path, Map<String, String> params) throws IOException {
    URI uri = uri(path, params);
    HttpResponse<byte[]> resp = send(uri, "application/json", requestTimeout, HttpResponse.BodyHandlers.ofByteArray());
    if (resp.statusCode() != 200) {
      throw failure(uri, resp.statusCode(), resp.body());
    }
    try {
      return JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new IOException(uri + ": not JSON: " + e.getMessage(), e);
    }
  }

  private HttpRequest.Builder request(URI uri, String accept, @Nullable Duration timeout) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().header("Accept", accept);
    if (timeout != null) {
      rb.timeout(timeout);
    }
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    headers.forEach(rb::header);
    return rb;
  }

  private <T> HttpResponse<T> send(URI uri, String accept, @Nullable Duration timeout, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    return send(uri, request(uri, accept, timeout).build(), handler);
  }

  private <T> HttpResponse<T> send(URI uri, HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return client.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(uri + ": interrupted while connecting", e);
    } catch (HttpConnectTimeoutException e) {
      throw new IOException(uri + ": cannot connect (timed out after " + connectTimeout.toMillis() + " ms)", e);
    } catch (HttpTimeoutException e) {
      throw new IOException(uri + ": no answer within " + requestTimeout.toSeconds() + " s", e);
    } catch (ConnectException e) {
      throw new IOException(uri + ": cannot connect (" + connectFailure(e) + ")", e);
    } catch (IOException e) {
      throw new IOException(uri + ": request failed (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
  }

  private static RecorderException failure(URI uri, int status, byte[] body) {
    String text = new String(body, 0, Math.min(body.length, ERROR_BODY_BYTES), StandardCharsets.UTF_8)
        .replaceAll("\\s+", " ").strip();
    String code = null;
    String detail = null;
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.isObject()) {
        code = n.path("error").isTextual() ? n.get("error").asText() : null;
        detail = n.path("detail").isTextual() ? n.get("detail").asText() : null;
      }
    } catch (IOException notJson) {
      // the start of the body says it
    }
    String message = uri + ": HTTP " + status + (text.isEmpty() ? "" : ": " + text);
    if (status == 401) {
      message += token401Hint();
    }
    return new RecorderException(message, status, code, detail);
  }

  private static String token401Hint() {
    return " (the recorder requires a token: give it with --token, TAPLINE_TOKEN or --token-file)";
  }

  private URI uri(String path, Map<String, String> params) {
    StringBuilder sb = new StringBuilder(base.toString()).append(path);
    String sep = base.getRawQuery() == null ? "?" : "&";
    if (base.getRawQuery() != null) {
      // a base URL with a query keeps it, before ours
      sb.setLength(0);
      String b = base.toString();
      int q = b.indexOf('?');
      sb.append(b, 0, q).append(path).append('?').append(base.getRawQuery());
    }
    for (Map.Entry<String, String> p : params.entrySet()) {
      sb.append(sep).append(p.getKey()).append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      sep = "&";
    }
    return URI.create(sb.toString());
  }

  private static void putIf(Map<String, String> params, String name, @Nullable String value) {
    if (value != null && !value.isEmpty()) {
      params.put(name, value);
    }
  }

  static URI baseOf(String recorder) throws IOException {
    URI u;
    try {
      u = new URI(recorder.trim());
    } catch (URISyntaxException e) {
      throw new IOException(recorder + ": not a valid URL (" + e.getReason() + ")", e);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || u.getRawAuthority() == null) {
      throw new IOException(recorder + ": not a valid URL (expected http(s)://host:port)");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.endsWith(EXPORT_PATH)) {
      path = path.substring(0, path.length() - EXPORT_PATH.length());
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
    }
    String s = scheme + "://" + u.getRawAuthority() + path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      throw new IOException(recorder + ": not a valid URL (" + e.getReason() + ")", e);
    }
  }

  /** Why a connection failed: {@code unknown host}, the JDK's message, else {@code connection refused}. */
  private static String connectFailure(ConnectException e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return c.getMessage();
      }
    }
    return "connection refused"; // the JDK client reports a refused connection as a closed channel
  }

  /** Drops the client's connections at once (an export or stream still being read breaks off). */
  @Override
  public void close() {
    client.shutdownNow();
  }

  @Override
  public String toString() {
    return "RecorderClient[" + base + "]";
  }
}
