package dev.tapline.replay;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Origin;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.RoutingKeys;
import dev.tapline.core.auth.CredentialForm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Turns a recorded request into the requests for the baseline and the sandbox, and sends them with
 * one shared {@link HttpClient} (HTTP/1.1, kept-alive connections).
 *
 * <p>Recorded headers are replayed except hop-by-hop ones, {@code Host} and {@code Content-Length}
 * (the client sets them), routing keys (the side decides), tracing ids (a replay is a new trace) and
 * anything redacted or on the redaction denylist: recorded credentials are never sent; {@code
 * --header} supplies real ones.
 */
final class Sender implements AutoCloseable {
  private static final Set<String> DROPPED = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
      "host", "content-length", "expect", "http2-settings", "content-encoding", "accept-encoding",
      "traceparent", "tracestate");
  private static final Set<String> ROUTING_HEADERS;

  static {
    Set<String> s = new HashSet<>();
    for (String src : RoutingKeys.DEFAULT_SOURCES) {
      if (!src.startsWith("baggage:")) {
        s.add(src.toLowerCase(Locale.ROOT));
      }
    }
    ROUTING_HEADERS = Set.copyOf(s);
  }

  private final HttpClient client;
  private final Duration timeout;
  private final List<Header> extraHeaders;
  private final Set<String> extraNames;
  private final Redactor redactor = Redactor.defaults();
  private final RateLimiter rate;

  /** What one request got: a response, or why there is none. */
  sealed interface Reply {
    record Ok(Response response) implements Reply {}

    record Failed(String reason, boolean connect) implements Reply {}
  }

  Sender(Duration timeout, List<Header> extraHeaders, double rate) {
    this.timeout = timeout;
    this.extraHeaders = List.copyOf(extraHeaders);
    Set<String> names = new HashSet<>();
    for (Header h : extraHeaders) {
      names.add(h.name().toLowerCase(Locale.ROOT));
    }
    this.extraNames = Set.copyOf(names);
    this.rate = RateLimiter.of(rate);
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * The request for one side.
   *
   * @param routingKey sent as {@code sd-routing-key} and a baggage member on the sandbox side
   * @throws IllegalArgumentException when the recorded path is not a valid URI
   */
  HttpRequest request(URI base, Exchange e, @Nullable String routingKey) {
    return request(base, e, routingKey, Map.of());
  }

  /**
   * The request for one side, presenting {@code credentials} (what a login gave the side) in place of
   * the recorded, redacted ones: headers set, cookies joined into one {@code Cookie} header.
   */
  HttpRequest request(URI base, Exchange e, @Nullable String routingKey, Map<CredentialForm, String> credentials) {
    Request r = e.request();
    String b = base.toString();
    if (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    String path = r.path().startsWith("/") ? r.path() : "/" + r.path();
    URI uri = URI.create(b + path + (r.rawQuery() == null ? "" : "?" + r.rawQuery()));
    byte[] body = r.body().bytes();
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .method(r.method(), body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    List<String> baggage = new ArrayList<>();
    for (Header h : r.headers().entries()) {
      String name = h.name().toLowerCase(Locale.ROOT);
      if (DROPPED.contains(name) || ROUTING_HEADERS.contains(name) || extraNames.contains(name)
          || isRedacted(h) || name.equals(Origin.HEADER)) {
        continue;
      }
      if (name.equals("baggage")) {
        String rest = withoutRoutingMember(h.value());
        if (!rest.isEmpty()) {
          baggage.add(rest);
        }
        continue;
      }
      setHeader(rb, h.name(), h.value());
    }
    for (Header h : extraHeaders) {
      setHeader(rb, h.name(), h.value());
    }
    List<String> cookies = new ArrayList<>();
    credentials.forEach((form, value) -> {
      switch (form) {
        case CredentialForm.Header h -> {
          try {
            rb.setHeader(h.name(), value);
          } catch (IllegalArgumentException ex) {
            // a header the JDK client refuses: leave it out, as for recorded ones
          }
        }
        case CredentialForm.Cookie c -> cookies.add(c.name() + "=" + value);
      }
    });
    if (!cookies.isEmpty()) {
      rb.setHeader("Cookie", String.join("; ", cookies));
    }
    // Marked as Tapline's own, so a capturing proxy on the way does not record it as users' traffic.
    rb.header(Origin.HEADER, Origin.REPLAY.wireName());
    if (routingKey != null) {
      baggage.add(RoutingKeys.KEY_NAME + "=" + java.net.URLEncoder.encode(routingKey, java.nio.charset.StandardCharsets.UTF_8));
      rb.header(RoutingKeys.KEY_NAME, routingKey);
    }
    if (!baggage.isEmpty()) {
      rb.header("baggage", String.join(",", baggage));
    }
    return rb.build();
  }

  /**
   * A login request to one side: {@code pathAndQuery} below {@code base} (or {@code base} itself
   * when empty), with the run's body, Tapline's origin marker and the side's routing key.
   */
  HttpRequest login(URI base, String method, String pathAndQuery, @Nullable String contentType, byte @Nullable [] body,
      @Nullable String routingKey) {
    String b = base.toString();
    if (!pathAndQuery.isEmpty() && b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(b + pathAndQuery))
        .timeout(timeout)
        .method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      rb.header("Content-Type", contentType);
    }
    rb.header("Accept", "application/json");
    rb.header(Origin.HEADER, Origin.REPLAY.wireName());
    if (routingKey != null) {
      rb.header("baggage", RoutingKeys.KEY_NAME + "=" + java.net.URLEncoder.encode(routingKey, java.nio.charset.StandardCharsets.UTF_8));
      rb.header(RoutingKeys.KEY_NAME, routingKey);
    }
    return rb.build();
  }

  private boolean isRedacted(Header h) {
    String v = h.value();
    return v.equals(Redactor.MARKER) || v.startsWith("[REDACTED:") || redactor.isSensitiveHeader(h.name());
  }

  private static void setHeader(HttpRequest.Builder rb, String name, String value) {
    try {
      rb.header(name, value);
    } catch (IllegalArgumentException e) {
      // A header the JDK client refuses to set (restricted or malformed): leave it out.
    }
  }

  static String withoutRoutingMember(String baggage) {
    List<String> keep = new ArrayList<>();
    for (String entry : baggage.split(",")) {
      String t = entry.trim();
      int eq = t.indexOf('=');
      String key = eq < 0 ? t : t.substring(0, eq).trim();
      if (!t.isEmpty() && !key.equals(RoutingKeys.KEY_NAME)) {
        keep.add(t);
      }
    }
    return String.join(",", keep);
  }

  CompletableFuture<Reply> send(HttpRequest request) {
    try {
      rate.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.completedFuture(new Reply.Failed("interrupted", false));
    }
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .<Reply>thenApply(resp -> new Reply.Ok(toResponse(resp)))
        .exceptionally(t -> {
          Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
          return new Reply.Failed(describe(cause), isConnectFailure(cause));
        });
  }

  private static Response toResponse(HttpResponse<byte[]> resp) {
    List<Header> headers = new ArrayList<>();
    HttpHeaders h = resp.headers();
    for (Map.Entry<String, List<String>> e : h.map().entrySet()) {
      if (e.getKey().startsWith(":")) {
        continue;
      }
      for (String v : e.getValue()) {
        headers.add(new Header(e.getKey(), v));
      }
    }
    String encoding = h.firstValue("Content-Encoding").orElse(null);
    byte[] bytes = decode(encoding, resp.body() == null ? new byte[0] : resp.body());
    String ct = h.firstValue("Content-Type").orElse(null);
    int status = resp.statusCode();
    return new Response(status < 100 || status > 999 ? 999 : status, new Headers(headers),
        new Body(ct, encoding, bytes, false, bytes.length));
  }

  private static byte[] decode(@Nullable String encoding, byte[] bytes) {
    if (encoding == null || bytes.length == 0) {
      return bytes;
    }
    String enc = encoding.trim().toLowerCase(Locale.ROOT);
    try {
      InputStream in = switch (enc) {
        case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(bytes));
        case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(bytes));
        default -> null;
      };
      if (in == null) {
        return bytes;
      }
      try (in) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      return bytes;
    }
  }

  /** Releases the client's connections and selector thread (every request has completed). */
  @Override
  public void close() {
    client.close();
  }

  /** A short reason for a failed request: {@code connection refused}, {@code timed out}. */
  static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof HttpConnectTimeoutException) {
        return "connect timed out";
      }
      if (c instanceof HttpTimeoutException) {
        return "timed out";
      }
      if (c instanceof ConnectException) {
        return "connection refused";
      }
      if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c && (c instanceof CompletionException || c.getMessage() == null)) {
      c = c.getCause();
    }
    if (c instanceof ClosedChannelException) {
      return "connection closed";
    }
    String m = c.getMessage();
    return (m == null || m.isBlank()) ? c.getClass().getSimpleName() : m;
  }

  private static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectException || c instanceof HttpConnectTimeoutException
          || c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }
}
